-- test-capture's WirePlumber (XDG_CONFIG_HOME points here): Debian's configuration, with
-- no device monitors — the test's PipeWire has no devices, and the machine's are not its.
alsa_monitor.enabled = false
v4l2_monitor.enabled = false
libcamera_monitor.enabled = false
