import re

import pytest


@pytest.mark.django_db
def test_it_shows_the_secretariat_what_waits(admin_client, loaded_demo):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    todo = {
        label: (int(count), url)
        for url, label, count in re.findall(
            r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th>\s*<td><strong>(\d+)</strong>',
            response.content.decode(),
        )
    }
    assert todo["待审核的入会申请"][0] == 1
    assert todo["待审核的资料变更"][0] == 1
    assert todo["草稿文章"][0] == 0
    assert todo["即将举行的活动"][0] == 3  # demo.door's; the bulletin's are all past
    # Every link opens the filtered list.
    for count, url in todo.values():
        listing = admin_client.get(url)
        assert listing.status_code == 200, url
        assert listing.context["cl"].result_count == count, url
