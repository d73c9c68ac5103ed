"""The simulator page's fault tables (Streamlit AppTest): rows named the way the designer's are (the one helper,
ui.fault_tables), the ids kept as hidden keys and shown only where two services read the same; a fault the
design's scenario carries is in its row."""

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from design.loader import load_text
from patterns.catalog import load_catalog
from ui import fault_tables

from apptest_pages import open_page


TWINS = """
name: Twins
nodes:
  - {id: shop, type: client, label: Shop}
  - {id: q1, type: sqs_queue, label: Orders}
  - {id: q2, type: sqs_queue, label: Orders}
  - {id: f, type: lambda, label: Handle}
edges:
  - {source: shop, target: q1}
  - {source: shop, target: q2}
  - {source: q1, target: f}
  - {source: q2, target: f}
"""


def simulator(**query) -> AppTest:
    return open_page("pages/simulate.py", **query)


def tables(at) -> list[Dataframe]:
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if isinstance(child, Dataframe):
                found.append(child)
            walk(child)
    walk(at.main)
    return found


def test_the_simulator_fault_tables_name_services_and_connections_by_label():
    at = simulator(pattern="fan-out-sns")
    nodes, edges = tables(at)
    rows = nodes.value.set_index("node")
    assert rows.loc["confirm", "service"] == "Send confirmation · Lambda function"
    assert rows.loc["confirm", "failure_probability"] == 0.3     # the pattern's own scenario fault, in its row
    assert list(nodes.proto.column_order) == list(fault_tables.NODE_COLUMNS)   # the id column is not shown
    assert "node" not in nodes.proto.column_order
    links = edges.value.set_index("connection")
    assert links.loc["orders->analytics_q", "link"] == "Order events → Analytics queue"
    assert links.loc["confirm_q->confirm_dlq", "link"] == "Confirmation queue → Confirmation DLQ (dead letters)"
    assert "connection" not in edges.proto.column_order


def test_two_services_with_the_same_label_keep_their_ids_in_the_name():
    design = load_text(TWINS)
    names = fault_tables.service_names(design)
    assert names["q1"] == "Orders · SQS queue (q1)" and names["q2"] == "Orders · SQS queue (q2)"
    assert names["f"] == "Handle · Lambda function"
    links = fault_tables.connection_names(design)
    assert links["q1->f"] == "Orders → Handle (q1->f)" and links["q2->f"] == "Orders → Handle (q2->f)"
    assert links["shop->q1"] == "Shop → Orders (shop->q1)"
    assert [r["node"] for r in fault_tables.node_rows(design, {})] == ["shop", "q1", "q2", "f"]


def test_an_edited_row_is_kept_by_its_id_not_its_name():
    design = load_catalog()["fan-out-sns"].design
    kept = {"confirm": {"node": "confirm", "service": "stale name", "failure_probability": 0.9}}
    row = next(r for r in fault_tables.node_rows(design, design.scenario, kept) if r["node"] == "confirm")
    assert row["service"] == "Send confirmation · Lambda function" and row["failure_probability"] == 0.9
