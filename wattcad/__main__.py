import sys

from wattcad.cli import main

sys.exit(main())
