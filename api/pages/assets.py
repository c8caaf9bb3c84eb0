"""The NL Design System CSS the pages serve: copied from the npm packages (npm/package-lock.json)
into static/css, with a header naming the package, its version and its licence.

`make run` needs no node: the copies are committed. `python -m api.pages.assets` copies them
again after `npm ci --prefix api/pages/npm`; tests/e2e/test_pages_assets.py checks (where npm is
available, as in CI) that this yields the committed bytes.
"""

import json
import sys
from pathlib import Path
from typing import Final

HERE: Final = Path(__file__).parent
NPM: Final = HERE / "npm"
CSS: Final = HERE / "static" / "css"
# Served name → (package, file inside the package).
COPIES: Final = {
    "utrecht-component-library.css": ("@utrecht/component-library-css", "dist/index.css"),
    "voorbeeld-theme.css": ("@nl-design-system-unstable/voorbeeld-design-tokens", "dist/theme.css"),
}


def built(node_modules: Path) -> dict[str, bytes]:
    """The served files as the installed packages make them."""
    files = {}
    for name, (package, inner) in COPIES.items():
        root = node_modules / package
        meta = json.loads((root / "package.json").read_text(encoding="utf-8"))
        header = (
            f"/*! {package} {meta['version']} ({inner}), licence {meta['license']}; "
            "copied by api/pages/assets.py, do not edit */\n"
        )
        files[name] = header.encode() + (root / inner).read_bytes()
    return files


def main() -> int:
    node_modules = NPM / "node_modules"
    if not node_modules.is_dir():
        print("Eerst: npm ci --prefix api/pages/npm", file=sys.stderr)
        return 1
    for name, data in built(node_modules).items():
        (CSS / name).write_bytes(data)
        print(f"{CSS / name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
