"""Importers: real AWS SAM / CloudFormation templates → designs (see importers/sam.py)."""
