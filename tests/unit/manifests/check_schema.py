#!/usr/bin/python3
"""Keeps manifests/manifest.schema.json honest.

The C++ parser (core/plugins/manifest.cpp) is the authority on manifests; the schema is
what editors use. This check asserts that the schema is itself a valid draft 2020-12
schema, accepts every sample under manifest_samples/valid, refuses every sample under
manifest_samples/invalid except the few rules JSON Schema cannot state (EXCEPTIONS), and
accepts every bundled manifest in manifests/. test_manifest_samples.cpp asserts the same
samples against the C++ parser.

Run with Debian's /usr/bin/python3 (package python3-jsonschema):
  check_schema.py SCHEMA SAMPLES_DIR BUNDLED_DIR
Prints one line per file; exits 1 on any failure.
"""

import json
import pathlib
import sys

import jsonschema

# Invalid samples the schema cannot refuse, and why. Each must still be accepted by the
# schema: when the schema learns to refuse one, the entry has to go.
EXCEPTIONS = {
    "required-self.json": "a dependency equal to the plugin's own id compares two values",
    "optional-self.json": "a dependency equal to the plugin's own id compares two values",
    "in-both-lists.json": "an id in both requiredPlugins and optionalPlugins compares two arrays",
    "duplicate-key.json": "a repeated key is gone once the JSON text is parsed into an object",
}


def _reject_constant(name):
    # Python accepts NaN and Infinity; JSON (and the C++ parser) does not.
    raise ValueError(f"{name} is not JSON")


def load(path):
    """The parsed document, or None with the reason when the file is not JSON."""
    try:
        text = path.read_bytes().decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant), None
    except (UnicodeDecodeError, ValueError) as error:
        return None, str(error)


def first_error(validator, document):
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = errors[0]
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    # The patterns are long; naming the field says enough.
    message = (f"{error.instance!r} does not match the schema's pattern"
               if error.validator == "pattern" else error.message)
    return f"{where}: {message if len(message) <= 200 else message[:200] + '...'}"


def main(argv):
    if len(argv) != 4:
        print(__doc__)
        return 2
    schema_path, samples, bundled = (pathlib.Path(a) for a in argv[1:])
    failures = 0

    def report(ok, path, text):
        nonlocal failures
        if not ok:
            failures += 1
        print(f"{'ok  ' if ok else 'FAIL'} {path}: {text}")

    schema, reason = load(schema_path)
    if schema is None:
        report(False, schema_path, f"not JSON: {reason}")
        return 1
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        report(True, schema_path, "a valid draft 2020-12 schema")
    except jsonschema.exceptions.SchemaError as error:
        report(False, schema_path, f"not a valid draft 2020-12 schema: {error.message}")
        return 1
    validator = jsonschema.Draft202012Validator(schema)

    valid = sorted((samples / "valid").glob("*.json"))
    invalid = sorted((samples / "invalid").glob("*.json"))
    manifests = sorted(p for p in bundled.glob("*.json") if not p.name.endswith(".schema.json"))
    if not valid or not invalid:
        report(False, samples, "expected samples under valid/ and invalid/")

    for path in valid + manifests:
        document, reason = load(path)
        if document is None:
            report(False, path, f"not JSON: {reason}")
            continue
        error = first_error(validator, document)
        report(error is None, path, "accepted" if error is None else f"refused: {error}")

    for path in invalid:
        document, reason = load(path)
        if document is None:
            report(True, path, f"refused (not JSON: {reason})")
            continue
        error = first_error(validator, document)
        if path.name in EXCEPTIONS:
            why = EXCEPTIONS[path.name]
            if error is None:
                report(True, path, f"accepted, as expected: schema cannot state it ({why})")
            else:
                report(False, path, f"now refused ({error}); remove it from EXCEPTIONS")
        else:
            report(error is not None, path,
                   f"refused: {error}" if error else "accepted, but the C++ parser refuses it")

    for name in sorted(set(EXCEPTIONS) - {p.name for p in invalid}):
        report(False, samples / "invalid" / name, "listed in EXCEPTIONS but missing")

    if not manifests:
        print(f"note {bundled}: no bundled manifests yet")
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
