"""TNTP reader and writer: the Sioux Falls fixture, round trips and bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from caravan.errors import InputError, NotFoundError
from caravan.io.tntp import (
    find_tntp_files,
    read_flow,
    read_net,
    read_nodes,
    read_tntp_dir,
    read_trips,
    write_flow,
    write_link_flows_csv,
    write_net,
    write_nodes,
    write_trips,
)

SIOUX = Path(__file__).resolve().parents[1] / "data" / "SiouxFalls"


def test_reads_sioux_falls() -> None:
    data = read_tntp_dir(SIOUX)
    assert data.name == "SiouxFalls"
    net = data.net
    assert (net.n_zones, net.n_nodes, net.n_links, net.first_thru_node) == (24, 24, 76, 1)
    assert net.init_node[0] == 1 and net.term_node[0] == 2 and net.capacity[0] == 25900.20064
    assert net.b[0] == 0.15 and net.power[0] == 4.0 and net.link_type[0] == 1
    assert data.trips.shape == (24, 24) and data.trips.sum() == 360600.0
    assert data.trips[0, 1] == 100.0
    assert data.flow is not None and data.flow.cost is not None and data.flow.volume.size == 76
    assert data.nodes is not None and data.nodes.node_id.tolist() == list(range(1, 25))


def test_round_trip(tmp_path: Path) -> None:
    data = read_tntp_dir(SIOUX)
    assert data.flow is not None and data.nodes is not None
    write_net(tmp_path / "X_net.tntp", data.net)
    write_trips(tmp_path / "X_trips.tntp", data.trips)
    write_flow(tmp_path / "X_flow.tntp", data.flow)
    write_nodes(tmp_path / "X_node.tntp", data.nodes)
    back = read_tntp_dir(tmp_path)
    for col in ("init_node", "term_node", "capacity", "length", "free_flow_time", "b", "power"):
        np.testing.assert_array_equal(getattr(back.net, col), getattr(data.net, col))
    np.testing.assert_array_equal(back.trips, data.trips)
    assert back.flow is not None and back.nodes is not None
    np.testing.assert_array_equal(back.flow.volume, data.flow.volume)
    np.testing.assert_array_equal(back.nodes.x, data.nodes.x)
    write_link_flows_csv(tmp_path / "f.csv", data.net, data.flow.volume, data.flow.volume)
    lines = (tmp_path / "f.csv").read_text().splitlines()
    assert lines[0] == "init_node,term_node,volume,time" and len(lines) == 77
    assert not list(tmp_path.glob(".*tmp"))


def _net_lines() -> list[str]:
    return (SIOUX / "SiouxFalls_net.tntp").read_text().splitlines()


def test_truncated_net_file(tmp_path: Path) -> None:
    p = tmp_path / "T_net.tntp"
    p.write_text("\n".join(_net_lines()[:40]) + "\n")
    with pytest.raises(InputError, match="declares 76 links but the file has 31"):
        read_net(p)
    p.write_text("\n".join(_net_lines()[:3]) + "\n")
    with pytest.raises(InputError, match="END OF METADATA"):
        read_net(p)


def test_non_numeric_and_short_rows(tmp_path: Path) -> None:
    lines = _net_lines()
    i = next(k for k, s in enumerate(lines) if s.strip().startswith("1\t2"))
    bad = list(lines)
    bad[i] = bad[i].replace("25900.20064", "lots")
    p = tmp_path / "B_net.tntp"
    p.write_text("\n".join(bad) + "\n")
    with pytest.raises(InputError, match=rf"line {i + 1}: column 'capacity' is not a number"):
        read_net(p)
    bad[i] = "\t1\t2\t3\t;"
    p.write_text("\n".join(bad) + "\n")
    with pytest.raises(InputError, match=rf"line {i + 1}: expected 10 columns"):
        read_net(p)
    bad[i] = lines[i].replace("\t2\t", "\t99\t", 1)
    p.write_text("\n".join(bad) + "\n")
    with pytest.raises(InputError, match=rf"line {i + 1}: node id outside 1..24"):
        read_net(p)


def test_bad_trips(tmp_path: Path) -> None:
    p = tmp_path / "B_trips.tntp"
    p.write_text("<NUMBER OF ZONES> 2\n<END OF METADATA>\n1 : 5.0;\n")
    with pytest.raises(InputError, match="line 3: demand entries before"):
        read_trips(p)
    p.write_text("<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n 3 : 5.0;\n")
    with pytest.raises(InputError, match=r"line 4: destination 3 outside 1\.\.2"):
        read_trips(p)
    p.write_text("<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n 2 : many;\n")
    with pytest.raises(InputError, match="line 4: column 'trips' is not a number"):
        read_trips(p)
    p.write_text("<END OF METADATA>\n")
    with pytest.raises(InputError, match="NUMBER OF ZONES"):
        read_trips(p)


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no such folder"):
        find_tntp_files(tmp_path / "nowhere")
    (tmp_path / "A_net.tntp").write_text((SIOUX / "SiouxFalls_net.tntp").read_text())
    with pytest.raises(NotFoundError, match=r"no \*_trips.tntp"):
        read_tntp_dir(tmp_path)
    with pytest.raises(NotFoundError, match="file not found"):
        read_flow(tmp_path / "none_flow.tntp")
    with pytest.raises(InputError, match="expected node, X, Y"):
        (tmp_path / "x_node.tntp").write_text("node X Y\n1 2\n")
        read_nodes(tmp_path / "x_node.tntp")
