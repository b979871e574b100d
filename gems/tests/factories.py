import uuid

import factory

from gems.models import GemProduct


class GemProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GemProduct
        django_get_or_create = ("product_id",)

    product_id = factory.Sequence(lambda n: f"test_pack_{n}")
    name = factory.LazyAttribute(lambda product: product.product_id)
    gems = 10
    price_krw = 1000


def dev_token(product_id: str) -> str:
    return f"dev:{product_id}:{uuid.uuid4().hex}"
