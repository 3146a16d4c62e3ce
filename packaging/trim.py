"""What the desktop build leaves out, each part named, and what leaving it out saves.

Imported by assistant-builder.spec. Two kinds of exclusion: Python packages the analysis would
follow from an optional import (DROPPED_MODULES, never imported by the app at run time), and
files the library hooks collect wholesale though nothing loads them (DROPPED_FILES). The build
prints the bytes each rule of DROPPED_FILES removed; packaging/README.md records one run."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

# Qt modules the app does not use (it uses QtCore, QtGui, QtWidgets, QtPdf, and the SVG image
# plugin for its icon), and libraries reached only through optional imports of our dependencies.
DROPPED_MODULES = [
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuick3D",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel",
    "PySide6.QtWebSockets",
    "PySide6.QtWebView",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DRender",
    "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic",
    "PySide6.Qt3DAnimation",
    "PySide6.Qt3DExtras",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtSpatialAudio",
    "PySide6.QtCharts",
    "PySide6.QtDataVisualization",
    "PySide6.QtGraphs",
    "PySide6.QtGraphsWidgets",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtHelp",
    "PySide6.QtLocation",
    "PySide6.QtPositioning",
    "PySide6.QtBluetooth",
    "PySide6.QtNfc",
    "PySide6.QtSensors",
    "PySide6.QtSerialPort",
    "PySide6.QtSerialBus",
    "PySide6.QtRemoteObjects",
    "PySide6.QtScxml",
    "PySide6.QtStateMachine",
    "PySide6.QtTextToSpeech",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtPdfWidgets",
    "PySide6.QtHttpServer",
    "PySide6.QtNetworkAuth",
    "PySide6.QtConcurrent",
    "PySide6.QtAxContainer",
    "PySide6.QtDBus",
    "PySide6.QtPrintSupport",
    "PyQt5",
    "PyQt6",
    "tkinter",
    "matplotlib",
    "IPython",
    "notebook",
    "pytest",
    "torchvision",
    "torchaudio",
    "tensorflow",
    "tensorboard",
    "triton",
    # Only torch's C++-extension builder wants setuptools; bundled, PyInstaller's runtime hook
    # for it would import it in every process, the window's too (0.16 s of a start).
    "setuptools",
    "pkg_resources",
    # The official OpenAI client (a test dependency) and, through its Bedrock sign-in, AWS's
    # botocore (28 MB of service descriptions): only llama-cpp-python's
    # create_chat_completion_openai_v1 imports it, which the app never calls.
    "openai",
    "botocore",
    "boto3",
    # OpenVINO's usage reports to Google Analytics (embedder_onnx.openvino_runtime keeps them off in
    # the development build too): without the module OpenVINO uses its stub.
    "openvino_telemetry",
    "distutils",
    "_distutils_hack",
]

_OPENVINO_UNUSED = [
    *("intel_gpu_plugin", "intel_npu_plugin", "tensorflow_frontend", "tensorflow_lite_frontend"),
    *("paddle_frontend", "pytorch_frontend", "jax_frontend", "gguf_frontend"),
]

# (what, glob patterns on the path inside the bundle)
DROPPED_FILES: list[tuple[str, tuple[str, ...]]] = [
    (
        "torch's C++ tests, test libraries and tools",
        (
            # torch/bin keeps torch_shm_manager: `import torch` refuses to start without it.
            "torch/bin/test_*",
            "torch/bin/*Test",
            "torch/bin/protoc*",
            "torch/bin/*.pt",
            "torch/bin/*.ptl",
            "torch/test/*",
            "torch/lib/*test*",
            "torch/lib/libbackend_with_compiler.so",
            "torch/lib/libaoti_custom_ops.so",
            "torch/lib/libjitbackend_test.so",
        ),
    ),
    (
        "C and C++ headers and sources",
        ("*/include/*", "*.h", "*.hpp", "*.cpp", "*.cuh", "*.pxd", "*.pyx"),
    ),
    ("pyarrow's tests", ("pyarrow/tests/*",)),
    ("Qt translations (the app is in English)", ("PySide6/Qt/translations/*",)),
    (
        "Qt Quick, QML and the on-screen keyboard (only Qt's virtual keyboard plugin uses them)",
        (
            "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
            "PySide6/Qt/lib/libQt6Quick*",
            "PySide6/Qt/lib/libQt6Qml*",
            "PySide6/Qt/lib/libQt6VirtualKeyboard*",
        ),
    ),
    (
        "OpenVINO's GPU and NPU plugins and its readers of formats other than ONNX",
        tuple(f"openvino/libs/*openvino_{name}*" for name in _OPENVINO_UNUSED),
    ),
    # A CUDA runtime the build machine may have, picked up through a ctypes name in torch.
    ("CUDA libraries", ("nvidia/*", "*libcuda*", "*libcudnn*", "*libcublas*", "*libnccl*")),
]


def _size(source: str) -> int:
    try:
        return Path(source).stat().st_size
    except OSError:
        return 0


def _rule_of(dest: str) -> str | None:
    dest = dest.replace("\\", "/")
    for what, patterns in DROPPED_FILES:
        if any(fnmatch(dest, pattern) for pattern in patterns):
            return what
    return None


def trim(binaries: list, datas: list) -> tuple[list, list]:
    """The two TOCs without the files of DROPPED_FILES; prints what each rule saved."""
    saved = {what: [0, 0] for what, _ in DROPPED_FILES}
    kept: list[list] = [[], []]
    for toc, out in ((binaries, kept[0]), (datas, kept[1])):
        for entry in toc:
            what = _rule_of(entry[0])
            if what is None:
                out.append(entry)
            else:
                saved[what][0] += 1
                saved[what][1] += _size(entry[1])
    print("Left out of the bundle:")
    for what, (count, size) in saved.items():
        print(f"  {what}: {count} files, {size / 1e6:.1f} MB")
    return kept[0], kept[1]
