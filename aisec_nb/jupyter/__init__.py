"""The Jupyter faces: ``%aisec`` magics, HTML reports, widgets. Thin: logic lives in the core."""
