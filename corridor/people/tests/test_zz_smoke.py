import json
import pytest

@pytest.mark.django_db
def test_smoke(client):
    r = client.get("/api/openapi.json")
    d = r.json()
    for p, ops in d["paths"].items():
        print(p, {m: (o.get("security"), list(o["responses"]), [x["name"] for x in o.get("parameters", [])]) for m, o in ops.items()})
    print(json.dumps(d["components"]["schemas"].get("Sex")))
    print(json.dumps(d["components"].get("securitySchemes")))
    print(list(d["components"]["schemas"]))
