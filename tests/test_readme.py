"""The README's tour runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_tour_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README has no python block"
    namespace: dict = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    assert namespace["row"].shape == (5, 5)
    assert namespace["setup"].margins() == {"sanction": 0.5}
    shares = namespace["model"].datacollector.get_model_vars_dataframe()
    assert len(shares) == 301
