"""``GET /api/gem/balance/`` and ``POST /api/gem/charge/`` with the payment providers."""

import pytest

from gems.errors import PaymentProviderUnavailable
from gems.models import GemProduct, GemTransaction
from gems.providers import PaymentProvider, VerifiedPayment
from gems.selectors import gem_balance, gem_ledger_sum
from gems.tests.factories import GemProductFactory, dev_token

BALANCE = "/api/gem/balance/"
CHARGE = "/api/gem/charge/"

pytestmark = pytest.mark.django_db


class UnreachableProvider(PaymentProvider):
    """A store whose receipt API is down (the network is the only thing mocked)."""

    name = "store"

    def claims(self, token: str) -> bool:
        return token.startswith("store:")

    def redeem(self, token: str) -> VerifiedPayment:
        raise PaymentProviderUnavailable()


def charge(auth_client, user, token, **extra):
    return auth_client(user).post(CHARGE, {"payment_token": token}, format="json", **extra)


def test_seeded_products():
    assert list(GemProduct.objects.values_list("product_id", "gems", "is_active")) == [
        ("gems_10", 10, True),
        ("gems_50", 50, True),
        ("gems_120", 120, True),
        ("gems_300", 300, True),
    ]


@pytest.mark.parametrize(("method", "url"), [("get", BALANCE), ("post", CHARGE)])
def test_requires_a_token(api_client, method, url):
    response = getattr(api_client, method)(url)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_balance_starts_at_zero(user, auth_client):
    response = auth_client(user).get(BALANCE)
    assert response.status_code == 200
    assert response.json() == {"gems": 0}


def test_charge_credits_the_products_gems(user, auth_client):
    response = charge(auth_client, user, "dev:gems_50:order-1")
    assert response.status_code == 200
    assert response.json() == {"gems_added": 50, "new_balance": 50}
    assert charge(auth_client, user, "dev:gems_120:order-2").json() == {"gems_added": 120, "new_balance": 170}
    assert auth_client(user).get(BALANCE).json() == {"gems": 170}
    rows = list(
        GemTransaction.objects.filter(user=user)
        .order_by("id")
        .values_list("reason", "amount", "balance_after", "reference")
    )
    assert rows == [
        ("charge", 50, 50, "dev:dev:gems_50:order-1"),
        ("charge", 120, 170, "dev:dev:gems_120:order-2"),
    ]
    assert gem_ledger_sum(user=user) == 170


def test_charge_has_rate_limit_headers(user, auth_client):
    response = charge(auth_client, user, dev_token("gems_10"))
    assert response["X-RateLimit-Limit"] == "30"
    assert response["X-RateLimit-Remaining"] == "29"


def test_the_gems_per_product_are_admin_data(user, auth_client):
    GemProduct.objects.filter(product_id="gems_10").update(gems=11)
    assert charge(auth_client, user, dev_token("gems_10")).json() == {"gems_added": 11, "new_balance": 11}


def test_replaying_a_token_credits_nothing_and_returns_the_original(user, auth_client):
    token = dev_token("gems_50")
    first = charge(auth_client, user, token).json()
    charge(auth_client, user, dev_token("gems_10"))
    replay = charge(auth_client, user, token)
    assert replay.status_code == 200
    assert first == {"gems_added": 50, "new_balance": 50}
    assert replay.json() == {"gems_added": 50, "new_balance": 60}
    assert GemTransaction.objects.filter(user=user).count() == 2


def test_a_replay_still_answers_after_the_product_is_retired(user, auth_client):
    token = dev_token("gems_50")
    charge(auth_client, user, token)
    GemProduct.objects.filter(product_id="gems_50").update(is_active=False)
    assert charge(auth_client, user, token).json() == {"gems_added": 50, "new_balance": 50}
    assert charge(auth_client, user, dev_token("gems_50")).status_code == 400


def test_another_accounts_token_is_refused(user_factory, auth_client):
    owner, thief = user_factory(), user_factory()
    token = dev_token("gems_50")
    charge(auth_client, owner, token)
    response = charge(auth_client, thief, token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_PAYMENT_TOKEN"
    assert response.json()["error"]["details"] == {"payment_token": ["다른 계정에 이미 충전된 결제입니다."]}
    english = charge(auth_client, thief, token, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["details"] == {"payment_token": ["This payment was credited to another account."]}
    assert gem_balance(user=thief) == 0 and gem_balance(user=owner) == 50


@pytest.mark.parametrize(
    "token",
    [
        "dev:gems_999:abc",  # unknown product
        "dev:gems_50",  # no nonce
        "dev:gems_50:",
        "dev::abc",
        "dev:gems 50:abc",
        "dev:gems_50:abc:extra",
        "tok_visa_4242",  # no provider claims it
        "",
        " ",
    ],
)
def test_invalid_tokens_are_refused_and_nothing_is_credited(user, auth_client, token):
    response = charge(auth_client, user, token)
    assert response.status_code == 400
    code = response.json()["error"]["code"]
    assert code == ("VALIDATION_ERROR" if not token.strip() else "INVALID_PAYMENT_TOKEN")
    assert gem_balance(user=user) == 0 and not GemTransaction.objects.exists()


def test_invalid_token_message(user, auth_client):
    response = charge(auth_client, user, "nope")
    assert response.json()["error"]["message"] == "유효하지 않은 결제 토큰입니다."
    response = charge(auth_client, user, "nope", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "The payment token is invalid."


@pytest.mark.parametrize(
    ("token", "korean", "english"),
    [
        ("dev:gems_50", "dev:<product_id>:<nonce> 형식이어야 합니다.", "Expected dev:<product_id>:<nonce>."),
        (dev_token("gems_999"), "알 수 없는 상품입니다.", "Unknown product."),
    ],
)
def test_invalid_token_details_are_translated(user, auth_client, token, korean, english):
    response = charge(auth_client, user, token)
    assert response.json()["error"]["details"] == {"payment_token": [korean]}
    response = charge(auth_client, user, token, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["details"] == {"payment_token": [english]}
    assert gem_balance(user=user) == 0 and not GemTransaction.objects.exists()


def test_an_inactive_product_is_refused(user, auth_client):
    GemProductFactory(product_id="old_pack", is_active=False)
    assert charge(auth_client, user, dev_token("old_pack")).json()["error"]["code"] == "INVALID_PAYMENT_TOKEN"


def test_the_dev_provider_is_off_when_the_setting_is(user, auth_client, settings):
    settings.DEV_PAYMENT_PROVIDER_ENABLED = False
    response = charge(auth_client, user, dev_token("gems_50"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_PAYMENT_TOKEN"
    assert gem_balance(user=user) == 0


@pytest.mark.parametrize(
    "body", [{}, {"payment_token": None}, {"payment_token": ["dev:gems_10:a"]}, {"payment_token": "x" * 1025}]
)
def test_bad_bodies(user, auth_client, body):
    response = auth_client(user).post(CHARGE, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == ["payment_token"]


def test_an_unreachable_provider_is_503_and_nothing_is_credited(user, auth_client, settings):
    settings.GEM_PAYMENT_PROVIDERS = [f"{__name__}.UnreachableProvider", "gems.providers.DevPaymentProvider"]
    response = charge(auth_client, user, "store:receipt-1", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "PAYMENT_PROVIDER_UNAVAILABLE"
    assert gem_balance(user=user) == 0 and not GemTransaction.objects.exists()
    # Other providers keep working.
    assert charge(auth_client, user, dev_token("gems_10")).json() == {"gems_added": 10, "new_balance": 10}


def test_rate_limited_per_user(user, auth_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "gem_charge": "3/h"}
    for _ in range(3):
        assert charge(auth_client, user, dev_token("gems_10")).status_code == 200
    response = charge(auth_client, user, dev_token("gems_10"))
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert "Retry-After" in response
    assert gem_balance(user=user) == 30


def test_balance_query_count(user, auth_client, django_assert_num_queries):
    charge(auth_client, user, dev_token("gems_10"))
    client = auth_client(user)
    with django_assert_num_queries(2):  # the authenticated user, the balance
        assert client.get(BALANCE).json() == {"gems": 10}
