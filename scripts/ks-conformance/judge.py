"""Prints pykickstart's verdict on every .ks file of a folder, as JSON: {file: {verdict, messages}}.

Usage: python3 judge.py PYKICKSTART_DIR FOLDER

The verdict is what Anaconda and livemedia-creator see: DEVEL's parser, a fresh one per file, reads the file;
"error" when it raises, "warning" when it only warns (a deprecated option, a duplicate), else "ok". ksvalidator
turns warnings into errors; the installers do not, so neither does this.
"""
import json
import os
import sys
import warnings


def main(pykickstart_dir, folder):
    sys.path.insert(0, pykickstart_dir)
    from pykickstart.errors import KickstartError
    from pykickstart.parser import KickstartParser
    from pykickstart.version import DEVEL, makeVersion

    verdicts = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".ks"):
            continue
        parser = KickstartParser(makeVersion(DEVEL))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                parser.readKickstart(os.path.join(folder, name))
                error = None
            except KickstartError as e:
                error = str(e)
            except Exception as e:  # pylint: disable=broad-except
                error = "%s: %s" % (type(e).__name__, e)
        messages = [str(w.message) for w in caught if issubclass(w.category, Warning)
                    and w.category.__module__.startswith("pykickstart")]
        if error is not None:
            verdicts[name] = {"verdict": "error", "messages": [error]}
        else:
            verdicts[name] = {"verdict": "warning" if messages else "ok", "messages": messages}
    json.dump(verdicts, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
