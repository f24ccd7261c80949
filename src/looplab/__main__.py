from looplab.cli import main

raise SystemExit(main())
