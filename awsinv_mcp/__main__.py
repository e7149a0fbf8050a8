"""`python -m awsinv_mcp` behaves like the `awsinv-mcp` console script."""

from awsinv_mcp.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
