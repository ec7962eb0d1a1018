"""Tests cannot reach the network beyond localhost (pytest-socket, configured in pyproject.toml)."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_connections_beyond_localhost_are_blocked():
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1: documentation only


def test_localhost_is_allowed():
    with socket.create_connection(("127.0.0.1", 6379), timeout=2) as conn:  # the Redis of the test run
        conn.sendall(b"PING\r\n")
        assert conn.recv(16).startswith(b"+PONG")
