"""wattcad.core.fileio: writes that are whole or not at all, and leave a file's mode as it was."""
from __future__ import annotations


def test_an_atomic_write_keeps_a_files_mode_and_gives_a_new_one_the_usual(tmp_path):
    import os
    import stat

    from wattcad.core.fileio import write_atomic

    umask = os.umask(0o022)
    try:
        new = write_atomic(tmp_path / "new.txt", "x\n")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        kept = tmp_path / "board.kicad_pcb"
        kept.write_text("old\n")
        kept.chmod(0o640)
        write_atomic(kept, "new\n")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() == "new\n"
    finally:
        os.umask(umask)
