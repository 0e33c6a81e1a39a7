"""Reads the GX plugins of great_expectations/gx/plugins without Great Expectations installed.

Byte-compiles every plugin file (into a temporary folder, so no __pycache__ lands in the repository) and reads, with
``ast``, what GX 1.x would register: each Expectation subclass with the type GX derives from its class name
(great_expectations.util.camel_to_snake), its pydantic fields and class-level keys, and each metric provider's name
and value keys. Prints one JSON object.

usage: python3 gx_plugin_inspect.py <plugins dir>
"""

import ast
import json
import os
import py_compile
import re
import sys
import tempfile

# great_expectations.util.camel_to_snake, which MetaExpectation applies to the class name.
_P1 = re.compile(r"(.)([A-Z][a-z]+)")
_P2 = re.compile(r"([a-z0-9])([A-Z])")


def camel_to_snake(name):
    return _P2.sub(r"\1_\2", _P1.sub(r"\1_\2", name)).lower()


def base_names(node):
    names = []
    for base in node.bases:
        if isinstance(base, ast.Name):
            names.append(base.id)
        elif isinstance(base, ast.Attribute):
            names.append(base.attr)
    return names


def is_class_var(annotation):
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return (isinstance(target, ast.Name) and target.id == "ClassVar") or (
        isinstance(target, ast.Attribute) and target.attr == "ClassVar"
    )


def literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def read_class(node):
    fields, keys = [], {}
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            if is_class_var(statement.annotation):
                keys[name] = literal(statement.value) if statement.value is not None else None
            else:
                fields.append({"name": name, "has_default": statement.value is not None})
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    keys[target.id] = literal(statement.value)
    return fields, keys


def inspect_file(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), filename=path)
    expectations, metrics, constants, imports = [], [], {}, []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bases = base_names(node)
            fields, keys = read_class(node)
            if any(b.endswith("Expectation") for b in bases):
                expectations.append(
                    {"class": node.name, "type": camel_to_snake(node.name), "bases": bases, "fields": fields, "keys": keys}
                )
            elif any(b.endswith("MetricProvider") for b in bases):
                metrics.append({"class": node.name, "metric_name": keys.get("metric_name"), "value_keys": keys.get("value_keys")})
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    constants[target.id] = literal(node.value)
        elif isinstance(node, ast.Import):
            imports.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imports.append(node.module)
    return {"expectations": expectations, "metrics": metrics, "constants": constants, "imports": imports}


def main(plugins):
    files = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name in sorted(n for n in os.listdir(plugins) if n.endswith(".py")):
            path = os.path.join(plugins, name)
            entry = {"compiled": True, "error": None}
            try:
                py_compile.compile(path, cfile=os.path.join(scratch, name + "c"), doraise=True)
                entry.update(inspect_file(path))
            except (py_compile.PyCompileError, SyntaxError) as error:
                entry.update({"compiled": False, "error": str(error)})
            files[name] = entry
    print(json.dumps({"files": files}))


if __name__ == "__main__":
    main(sys.argv[1])
