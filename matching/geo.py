"""Great-circle distance in SQL and the bounding box that lets an index prefilter by it."""

import math

from django.db.models import F, FloatField, Q, Value
from django.db.models.expressions import Func
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180  # ≈ 111.2 km


def distance_km_expression(lat: float, lng: float, lat_field: str = "last_lat", lng_field: str = "last_lng") -> Func:
    """Haversine distance in km from (lat, lng) to the row's (lat_field, lng_field)."""
    lat1 = Radians(Value(lat, output_field=FloatField()))
    lat2 = Radians(F(lat_field))
    half_dlat = (lat2 - lat1) / 2
    half_dlng = (Radians(F(lng_field)) - Radians(Value(lng, output_field=FloatField()))) / 2
    a = Power(Sin(half_dlat), 2) + Cos(lat1) * Cos(lat2) * Power(Sin(half_dlng), 2)
    # Rounding can push ``a`` a hair above 1, outside asin's domain.
    return Value(2 * EARTH_RADIUS_KM, output_field=FloatField()) * ASin(Sqrt(Least(a, Value(1.0))))


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The same haversine in Python (tests and documentation)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


def bounding_box_q(
    lat: float, lng: float, radius_km: float, lat_field: str = "last_lat", lng_field: str = "last_lng"
) -> Q:
    """Rows whose point can be within ``radius_km`` of (lat, lng): a superset, cheap on an index.

    Longitude degrees shrink with cos(latitude); near a pole every longitude qualifies, and a
    box crossing the antimeridian becomes two longitude ranges.
    """
    dlat = radius_km / KM_PER_DEGREE_LAT
    lat_min, lat_max = lat - dlat, lat + dlat
    q = Q(**{f"{lat_field}__gte": max(lat_min, -90.0), f"{lat_field}__lte": min(lat_max, 90.0)})
    if lat_min <= -90 or lat_max >= 90:
        return q & Q(**{f"{lng_field}__isnull": False})
    # The widest longitude span is at the box's edge nearest the pole.
    cos_edge = math.cos(math.radians(max(abs(lat_min), abs(lat_max))))
    dlng = radius_km / (KM_PER_DEGREE_LAT * cos_edge) if cos_edge > 0 else 360.0
    if dlng >= 180:
        return q & Q(**{f"{lng_field}__isnull": False})
    lng_min, lng_max = lng - dlng, lng + dlng
    if lng_min < -180:
        lng_q = Q(**{f"{lng_field}__gte": lng_min + 360}) | Q(**{f"{lng_field}__lte": lng_max})
    elif lng_max > 180:
        lng_q = Q(**{f"{lng_field}__gte": lng_min}) | Q(**{f"{lng_field}__lte": lng_max - 360})
    else:
        lng_q = Q(**{f"{lng_field}__gte": lng_min, f"{lng_field}__lte": lng_max})
    return q & lng_q
