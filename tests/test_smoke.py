def test_login_page_renders_in_chinese(client, db):
    r = client.get("/login/")
    assert r.status_code == 200
    assert "用户登录" in r.content.decode()


def test_department_user_sees_only_own_department(client, world):
    client.force_login(world.wang)
    r = client.get("/roster/graduates/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "张三" in html and "李四" not in html and "王五" not in html
