"""The classic tutorial's calculator server (gRPC in Google Cloud Run, server.py), as written there:
grpcio's sync server on a ThreadPoolExecutor, one Calculator servicer.

The bench generates calculator_pb2 / calculator_pb2_grpc at bench time with grpc_tools.protoc from the
published .proto into a temporary directory and passes it as STUBS_DIR. Listens on HOST:PORT (loopback in
the bench; the tutorial binds [::]).
Run with /usr/bin/python3 (Debian's python3-grpcio, python3-grpc-tools).
"""
import logging
import os
import signal
import sys
from concurrent import futures
from typing import Text

import grpc

sys.path.insert(0, os.environ["STUBS_DIR"])
import calculator_pb2  # noqa: E402
import calculator_pb2_grpc  # noqa: E402

_PORT = os.environ.get("PORT", "50051")
_HOST = os.environ.get("HOST", "127.0.0.1")


class Calculator(calculator_pb2_grpc.CalculatorServicer):

    def Calculate(self, request: calculator_pb2.BinaryOperation,
                  context: grpc.ServicerContext) -> calculator_pb2.CalculationResult:
        logging.info("Received request: %s", request)
        result = None
        if request.operation == calculator_pb2.ADD:
            result = request.first_operand + request.second_operand
        else:
            result = request.first_operand - request.second_operand
        return calculator_pb2.CalculationResult(result=result)


def _serve(port: Text):
    bind_address = f"{_HOST}:{port}"
    server = grpc.server(futures.ThreadPoolExecutor())
    calculator_pb2_grpc.add_CalculatorServicer_to_server(Calculator(), server)
    server.add_insecure_port(bind_address)
    server.start()
    logging.info("Listening on %s.", bind_address)
    signal.signal(signal.SIGTERM, lambda *_: server.stop(1))
    server.wait_for_termination()


if __name__ == "__main__":
    logging.basicConfig()
    _serve(_PORT)
