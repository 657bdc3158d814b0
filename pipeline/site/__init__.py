"""The site stage: from the checked, aggregated and suppressed figures, the registries
and the case notices to the published site.

It owns the page groups (one module each), the chart data, the open-data files and
their ``datapackage.json``, the Atom feed, the jinja2 templates (``templates/``), the
MkDocs build shared over worker processes (:mod:`pipeline.site.mkdocs_build`) and the
MkDocs hooks ``mkdocs.yml`` names (:mod:`pipeline.site.mkdocs_hooks`).

It may import the earlier stages' data types and functions (registry, check, cases,
channels, punctuality, aggregate, privacy), the store and the base (periods, problems,
parallel); never the command line, the build or the preview, which are the only
modules that import it (``tests/test_imports.py`` checks both).
"""

from pipeline.site.render import Renderer, Touched, copy_tree

__all__ = ["Renderer", "Touched", "copy_tree"]
