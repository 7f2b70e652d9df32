"""The one exception type the compiler raises for problems in the user's input."""


class SNNCError(Exception):
    """A problem with the model or the options, reported as one line.

    The message names the file and, where there is one, the node; the CLI
    prints it without a traceback and exits with status 1.
    """

    def __init__(self, message, *, path=None, node=None):
        self.path = str(path) if path is not None else None
        self.node = node
        self.problem = message
        where = []
        if self.path:
            where.append(self.path)
        if node:
            where.append(f"node '{node}'")
        super().__init__(": ".join(where + [message]))
