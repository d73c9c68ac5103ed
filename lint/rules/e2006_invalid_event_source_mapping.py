from lint.rule import Rule
from lint.view import DesignView, edge_path, num

SQS_PLAIN_BATCH = 10        # above this a standard queue needs a batching window of at least 1 s
MIN_RECORD_AGE_S = 60       # a stream mapping's maximum record age: -1, or 60–604,800 s


class InvalidEventSourceMapping(Rule):
    id = "E2006"
    name = "invalid-event-source-mapping"
    description = "An event source mapping setting that Lambda refuses (batch size, batching window, record age)"
    source = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html"

    def check(self, design):
        view = DesignView(design)
        found = []
        for edge in design.edges:
            source, target = view.nodes[edge.source], view.nodes[edge.target]
            if view.kind(edge) not in ("event_source", "stream"):
                continue
            batch = edge.props.get("batch_size")
            window = float(edge.props.get("batching_window_s") or 0)
            if source.type == "sqs_queue" and batch is not None and batch > SQS_PLAIN_BATCH:
                if source.prop("fifo"):
                    found.append(self.finding(
                        edge_path(edge, "batch_size"),
                        f"{target.title} reads the FIFO queue {source.title} in batches of {num(batch)}; a FIFO "
                        f"queue allows at most {SQS_PLAIN_BATCH}, so Lambda refuses the mapping."))
                elif window < 1:
                    found.append(self.finding(
                        edge_path(edge, "batch_size"),
                        f"{target.title} reads {source.title} in batches of {num(batch)} with no batching window; "
                        f"a batch above {SQS_PLAIN_BATCH} needs batching_window_s of at least 1 s, so Lambda "
                        "refuses the mapping."))
            age = edge.props.get("max_event_age_s")
            if source.type != "sqs_queue" and age is not None and age != -1 and age < MIN_RECORD_AGE_S:
                found.append(self.finding(
                    edge_path(edge, "max_event_age_s"),
                    f"The mapping from {source.title} to {target.title} keeps records for at most {num(age)} s; "
                    f"Lambda accepts -1 (until they expire) or {MIN_RECORD_AGE_S} to 604,800 s."))
        return found
