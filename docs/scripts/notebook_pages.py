"""mkdocs hook: the notebooks in notebooks/ become pages of the site (rendered by mkdocs-jupyter).

The notebooks stay where users find them (notebooks/ at the repository root); this hook adds
them to the site's files before mkdocs-jupyter wraps the notebook files, so they are executed
and rendered with their outputs at every build.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]


@event_priority(100)  # before mkdocs-jupyter's on_files (default priority 0)
def on_files(files: Files, config) -> Files:
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        files.append(
            File(
                f"notebooks/{notebook.name}",
                src_dir=str(ROOT),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files
