from assistant_builder.app import main

raise SystemExit(main())
