from vendors.core.simulator import Response, Simulator, json_response


class WidgetSimulator(Simulator):
    vendor = "widgets"

    def __init__(self, *, token: str = "widget-token-123", **kwargs):
        super().__init__(**kwargs)
        self.token = token
        self.widgets = {"w1": {"id": "w1", "name": "alpha", "status": "running"},
                        "w2": {"id": "w2", "name": "beta", "status": "stopped"}}
        self.list_calls = 0

    def handle(self, request):
        if request.header("authorization") != f"Bearer {self.token}":
            return json_response({"error": "invalid token"}, 401)
        if request.path == "/me":
            return json_response({"account": "acme"})
        if request.path == "/widgets":
            with self.lock:
                self.list_calls += 1
                return json_response({"widgets": list(self.widgets.values())})
        return Response(404, "not found")
