"""The frozen app's entry point: the `assistant-builder` launcher of the desktop build.

freeze_support must run first: the engine, the knowledge process and the parser pool are
"spawn" children, and in a frozen build each of them starts as this same executable."""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from assistant_builder.app import main

    raise SystemExit(main())
