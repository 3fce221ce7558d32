"""The command line's usage errors, as the tests of refusals read them."""

import pytest

from allysim.cli import main


def usage_error(argv, capsys):
    """Run ``main(argv)``, expect exit status 2 and one stderr line; return that line."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    return lines[0]
