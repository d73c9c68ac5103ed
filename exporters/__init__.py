"""Artefacts made from a design: SAM templates (exporters.sam), starter projects (exporters.starter), ASL
(exporters.asl), diagrams (exporters.dot, exporters.mermaid, exporters.sequence, exporters.render) and
deploying through a CloudFormation change set (exporters.deploy). `python -m exporters --help` lists the CLI."""
