def test_root_creates_and_lists_users(acme_root_client):
    created = acme_root_client.call(
        "POST", "/iam/users", {"email": "Alice@Example.TEST", "name": "Alice"}
    )

    listed = acme_root_client.call("GET", "/iam/users")

    assert created.status_code == 201, created.content
    assert created.json()["email"] == "Alice@example.test"
    assert created.json()["urn"] == f"urn:iam:acme:user/{created.json()['id']}"
    assert "Alice@example.test" in [user["email"] for user in listed.json()["results"]]
