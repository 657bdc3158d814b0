"""python -m pipeline.demo DATA_DIR FIRST_MONTH LAST_MONTH UNTIL: write the demo's
submissions and snapshots (:func:`pipeline.demo.submissions.write_demo_sources`)."""

import sys
from datetime import datetime
from pathlib import Path

from pipeline.demo.submissions import write_demo_sources
from pipeline.periods import BEIJING
from pipeline.registry import load_registry

until = datetime.fromisoformat(sys.argv[4]).replace(tzinfo=BEIJING)
write_demo_sources(load_registry(Path(sys.argv[1])), sys.argv[2], sys.argv[3], until)
