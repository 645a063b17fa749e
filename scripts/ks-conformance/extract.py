"""Writes the kickstarts pykickstart's own tests feed its parser into a folder, one file a case.

Usage: python3 extract.py PYKICKSTART_DIR OUT_DIR [--all-versions]

It runs pykickstart's command tests (tests/commands) and section tests with their assert helpers and
KickstartParser.readKickstartFromString instrumented, and keeps the text of every case tested against the current
syntax: a command test whose handler has DEVEL's class for the command, a parser test whose parser is DEVEL, or a
command sequence read by an older parser whose classes for every command in it are DEVEL's. The verdict is not
taken from the tests (they turn warnings into errors); judge.py asks DEVEL's parser for it.

With --all-versions it keeps every text any test feeds any version's parser: a wider set, old syntax included,
still judged by DEVEL.
"""
import hashlib
import io
import json
import os
import sys
import unittest
import warnings

SECTION_TESTS = ["sections", "packages", "pre", "pre-install", "post", "script", "certificate"]


def main(pykickstart_dir, out_dir, all_versions):
    sys.path.insert(0, pykickstart_dir)
    from pykickstart.base import RemovedCommand
    from pykickstart.parser import KickstartParser
    from pykickstart.version import DEVEL, makeVersion
    from tests import baseclass

    devel = makeVersion(DEVEL)
    cases = {}
    current = {"test": None}

    def keep(text, origin):
        if text not in cases:
            cases[text] = origin

    # Making a handler is slow and the tests assert thousands of times: one per handler class.
    commands_of = {}

    def current_command_class(test, text):
        name = text.split(" ")[0]
        handler_class = test.handler
        if handler_class not in commands_of:
            commands_of[handler_class] = {k: type(v) for k, v in handler_class().commands.items()}
        mine = commands_of[handler_class].get(name)
        return all_versions or (mine is not None and mine is type(devel.commands.get(name)))

    def instrument_command_assert(original):
        def wrapper(self, text, *args, **kwargs):
            if current_command_class(self, text):
                keep(text, current["test"])
            return original(self, text, *args, **kwargs)

        return wrapper

    baseclass.CommandTest.assert_parse = instrument_command_assert(baseclass.CommandTest.assert_parse)
    baseclass.CommandTest.assert_parse_error = instrument_command_assert(
        baseclass.CommandTest.assert_parse_error
    )

    read_string = KickstartParser.readKickstartFromString

    def current_sequence(handler, text):
        """A command sequence an older handler reads with DEVEL's classes for every command in it (sections vary)."""
        lines = [line.strip() for line in text.splitlines()]
        words = [line.split()[0] for line in lines if line and not line.startswith("#")]
        return all(not word.startswith("%") and word in handler.commands and
                   type(handler.commands[word]) is type(devel.commands.get(word)) for word in words)

    def recording_read(self, text, *args, **kwargs):
        if self.handler is not None and (all_versions or self.handler.version == DEVEL or
                                         current_sequence(self.handler, text)):
            keep(text, current["test"])
        return read_string(self, text, *args, **kwargs)

    KickstartParser.readKickstartFromString = recording_read

    class Recorder(unittest.TextTestResult):
        def startTest(self, test):
            current["test"] = test.id()
            super().startTest(test)

    names = ["tests.commands." + os.path.splitext(f)[0]
             for f in sorted(os.listdir(os.path.join(pykickstart_dir, "tests", "commands")))
             if f.endswith(".py") and f != "__init__.py"]
    names += ["tests." + name for name in SECTION_TESTS]
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()

    def worth_running(test):
        # A command test of an older class records nothing; running it only costs time (minutes, in all).
        # Some tests are named for a family (displaymode) or for a command DEVEL removed whose successors they
        # assert (method: url, nfs, harddrive…): those run whatever their class.
        command = getattr(test, "command", "")
        return not isinstance(test, baseclass.CommandTest) or command not in devel.commands or \
            isinstance(devel.commands[command], RemovedCommand) or current_command_class(test, command)

    for name in names:
        for group in loader.loadTestsFromName(name):
            suite.addTests(test for test in group if worth_running(test))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = unittest.TextTestRunner(stream=io.StringIO(), resultclass=Recorder).run(suite)

    os.makedirs(out_dir, exist_ok=True)
    index = {}
    for text, origin in cases.items():
        name = hashlib.sha256(text.encode()).hexdigest()[:16] + ".ks"
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
        index[name] = origin
    with open(os.path.join(out_dir, "origins.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, indent=1, sort_keys=True)
    print(f"{len(cases)} cases from {result.testsRun} tests "
          f"({len(result.failures) + len(result.errors)} of pykickstart's tests failed here)", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["--all-versions"]):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:] == ["--all-versions"])
