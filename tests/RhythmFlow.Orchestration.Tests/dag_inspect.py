"""Describes the DAG files in a folder as JSON without importing Airflow: the contract test's eyes.

For every ``*.py`` it reports whether it byte-compiles, its imports, every ``DAG(...)`` call with its keyword
arguments evaluated from literals and module constants (also across sibling modules), the tasks built with the
shared factory ``rhythmflow_task(task_id, arguments)``, the ``>>`` dependencies between them, every Jinja
expression in a string, and uses of names Airflow 3 removed.

Usage: python3 dag_inspect.py DAGS_FOLDER
"""

import ast
import json
import py_compile
import re
import sys
import tempfile
from pathlib import Path

REMOVED_IN_AIRFLOW_3 = {"execution_date", "next_execution_date", "prev_execution_date", "schedule_interval",
                        "next_ds", "prev_ds", "tomorrow_ds", "yesterday_ds", "sla", "sla_miss_callback"}
TEMPLATE = re.compile(r"{{(.*?)}}|{%(.*?)%}")
FACTORY = "rhythmflow_task"


class Module:
    def __init__(self, folder, name, loader):
        self.path = folder / f"{name}.py"
        self.source = self.path.read_text(encoding="utf-8")
        self.tree = ast.parse(self.source, filename=str(self.path))
        self.env = {}
        self.loader = loader
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and loader.is_local(node.module):
                other = loader.load(node.module)
                for alias in node.names:
                    if alias.name in other.env:
                        self.env[alias.asname or alias.name] = other.env[alias.name]
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.env[node.targets[0].id] = self.value(node.value)

    def value(self, node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            items = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    items.extend(self.value(element.value))
                else:
                    items.append(self.value(element))
            return items
        if isinstance(node, ast.Dict):
            result = {}
            for key, value in zip(node.keys, node.values):
                if key is None:
                    result.update(self.value(value))
                else:
                    result[self.value(key)] = self.value(value)
            return result
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            if node.id == "__doc__":
                return ast.get_docstring(self.tree)
            return {"name": node.id}
        if isinstance(node, ast.Call):
            function = ast.unparse(node.func)
            if function in ("timedelta", "pendulum.duration"):
                units = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
                seconds = sum(units[k.arg] * self.value(k.value) for k in node.keywords)
                return {"seconds": seconds}
            return {
                "call": function,
                "args": [self.value(a) for a in node.args],
                "kwargs": {k.arg: self.value(k.value) for k in node.keywords if k.arg},
            }
        return {"expr": ast.unparse(node)}

    def describe(self):
        imports = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom):
                imports.extend(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                imports.extend(alias.name for alias in node.names)
        dags, tasks, variables, edges = [], [], {}, []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "DAG":
                dags.append({k.arg: self.value(k.value) for k in node.keywords if k.arg})
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                    and ast.unparse(node.value.func) == FACTORY and isinstance(node.targets[0], ast.Name):
                task_id, arguments = (self.value(a) for a in node.value.args)
                tasks.append({"taskId": task_id, "arguments": arguments})
                variables[node.targets[0].id] = task_id
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp):
                edges.extend(self.edges(node.value, variables))
        strings = [n.value for n in ast.walk(self.tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        templates = sorted({(m.group(1) or m.group(2)).strip() for s in strings for m in TEMPLATE.finditer(s)})
        words = {n.id for n in ast.walk(self.tree) if isinstance(n, ast.Name)} \
            | {n.attr for n in ast.walk(self.tree) if isinstance(n, ast.Attribute)} \
            | {k.arg for n in ast.walk(self.tree) if isinstance(n, ast.Call) for k in n.keywords if k.arg} \
            | {w for s in strings for w in re.findall(r"[a-z_]+", s)}
        return {
            "file": self.path.name,
            "imports": sorted(set(imports)),
            "dags": dags,
            "tasks": tasks,
            "edges": edges,
            "templates": templates,
            "removedNames": sorted(words & REMOVED_IN_AIRFLOW_3),
        }

    def edges(self, node, variables):
        """Returns the edges of a ``>>`` chain; ``a >> b >> c`` parses as ``(a >> b) >> c``."""
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift)):
            return []
        result = self.edges(node.left, variables)
        for upstream in self.ends(node.left, variables):
            for downstream in self.starts(node.right, variables):
                result.append([upstream, downstream])
        return result + self.edges(node.right, variables)

    def ends(self, node, variables):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
            return self.ends(node.right, variables)
        return self.starts(node, variables)

    def starts(self, node, variables):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
            return self.starts(node.left, variables)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [t for element in node.elts for t in self.starts(element, variables)]
        if isinstance(node, ast.Name) and node.id in variables:
            return [variables[node.id]]
        raise ValueError(f"{self.path.name}:{node.lineno}: dependency on something that is not a rhythmflow task")


class Loader:
    def __init__(self, folder):
        self.folder = folder
        self.modules = {}

    def is_local(self, name):
        return (self.folder / f"{name}.py").exists()

    def load(self, name):
        if name not in self.modules:
            self.modules[name] = Module(self.folder, name, self)
        return self.modules[name]


def main():
    folder = Path(sys.argv[1])
    loader = Loader(folder)
    files = []
    scratch = tempfile.mkdtemp(prefix="dag-inspect-")
    for path in sorted(folder.glob("*.py")):
        try:
            # Byte-code goes to a scratch folder so the DAGs folder stays clean.
            py_compile.compile(str(path), cfile=f"{scratch}/{path.stem}.pyc", doraise=True)
            compiled = None
        except py_compile.PyCompileError as error:
            compiled = str(error)
        entry = loader.load(path.stem).describe() if compiled is None else {"file": path.name}
        entry["compileError"] = compiled
        files.append(entry)
    json.dump({"files": files}, sys.stdout, indent=2, default=str)


if __name__ == "__main__":
    main()
