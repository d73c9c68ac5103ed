"""Operations: running the site for a school (N replicas behind a balancer, one PostgreSQL)."""
