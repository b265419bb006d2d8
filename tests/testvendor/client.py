from vendors.core.http import VendorClient


class WidgetClient(VendorClient):
    vendor = "widgets"

    def __init__(self, base_url: str, token: str, **kwargs):
        super().__init__(base_url, secrets=[token], headers={"Authorization": f"Bearer {token}"}, **kwargs)

    def raise_for_error(self, response):
        if response.status_code == 401:
            raise self.error_for_status(401, "The widget service refused the token.")
        if not response.is_success and "json" in response.headers.get("content-type", ""):
            raise self.error_for_status(response.status_code, response.json().get("error", "error"))
        super().raise_for_error(response)

    def whoami(self) -> str:
        return self.json(self.request("GET", "/me"))["account"]

    def widgets(self) -> list[dict]:
        return self.json(self.request("GET", "/widgets"))["widgets"]

    def owner(self, widget: str) -> str:
        return self.json(self.request("GET", f"/widgets/{widget}/owner"))["owner"]
