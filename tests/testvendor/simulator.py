from vendors.core.simulator import Response, Simulator, json_response


class WidgetSimulator(Simulator):
    vendor = "widgets"

    def __init__(self, *, token: str = "widget-token-123", **kwargs):
        super().__init__(**kwargs)
        self.token = token
        self.widgets = {"w1": {"id": "w1", "name": "alpha", "status": "running"},
                        "w2": {"id": "w2", "name": "beta", "status": "stopped"}}
        self.list_calls = 0
        self.owners = {"w1": "alice", "w2": "bob"}
        #: widget id -> (status, message) answered for its owner instead of the owner: a refused part
        self.refuse_owner: dict[str, tuple[int, str]] = {}
        self.owner_calls: dict[str, int] = {}
        self.restarts: list[str] = []

    def handle(self, request):
        if request.header("authorization") != f"Bearer {self.token}":
            return json_response({"error": "invalid token"}, 401)
        if request.path == "/me":
            return json_response({"account": "acme"})
        if request.path == "/widgets":
            with self.lock:
                self.list_calls += 1
                return json_response({"widgets": list(self.widgets.values())})
        if request.method == "POST" and request.path.startswith("/widgets/") and request.path.endswith("/restart"):
            widget = request.path.split("/")[2]
            with self.lock:
                if widget not in self.widgets:
                    return json_response({"error": "no such widget"}, 404)
                self.restarts.append(widget)
            return json_response({"restarted": widget})
        if request.path.startswith("/widgets/") and request.path.endswith("/owner"):
            widget = request.path.split("/")[2]
            with self.lock:
                self.owner_calls[widget] = self.owner_calls.get(widget, 0) + 1
                if widget in self.refuse_owner:
                    status, message = self.refuse_owner[widget]
                    return json_response({"error": message}, status)
                if widget not in self.widgets:
                    return json_response({"error": "no such widget"}, 404)
                return json_response({"owner": self.owners.get(widget, "")})
        return Response(404, "not found")
