-- test-capture's WirePlumber: no Bluetooth.
bluez_monitor.enabled = false
