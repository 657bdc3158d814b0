"""The site stage: from the checked, aggregated and suppressed figures, the registries
and the case notices to the published site.

It owns the page groups (a module each: :mod:`~pipeline.site.home`,
:mod:`~pipeline.site.report`, :mod:`~pipeline.site.statistics`,
:mod:`~pipeline.site.campaigns`, :mod:`~pipeline.site.institutions`,
:mod:`~pipeline.site.cases` with the feed, :mod:`~pipeline.site.about` and
:mod:`~pipeline.site.data` with the open-data files), run in a fixed order by
:func:`render`; the state they share (:class:`Site`: the inputs, the jinja2 environment,
what a preview's case edit touched); the charts, the figures as pages say them, the
Parquet files and ``datapackage.json`` (:mod:`~pipeline.site.opendata`), the templates
(``templates/``), the MkDocs build shared over worker processes
(:mod:`~pipeline.site.mkdocs_build`) and the MkDocs hooks ``mkdocs.yml`` names
(:mod:`~pipeline.site.mkdocs_hooks`), and whether a build would write the site that is
already there (:mod:`~pipeline.site.uptodate`, which only the build consults).

It may import the earlier stages' data types and functions (check, cases, history,
aggregate, privacy), the store and the base (:mod:`pipeline.base`); never the command
line, the build or the preview, which are the only modules outside the package that
import it (``tests/test_imports.py`` checks both).
"""

from pipeline.site.context import Site, Touched
from pipeline.site.files import copy_tree
from pipeline.site.render import render

__all__ = ["Site", "Touched", "copy_tree", "render"]
