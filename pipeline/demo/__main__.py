"""python -m pipeline.demo DATA_DIR FIRST_MONTH LAST_MONTH UNTIL: write the demo's
submissions and snapshots (:func:`pipeline.demo.submissions.write_demo_sources`)."""

import sys
from datetime import datetime
from pathlib import Path

from pipeline.base.periods import BEIJING
from pipeline.base.registry import load_registry
from pipeline.demo.submissions import write_demo_sources

until = datetime.fromisoformat(sys.argv[4]).replace(tzinfo=BEIJING)
write_demo_sources(load_registry(Path(sys.argv[1])), sys.argv[2], sys.argv[3], until)
