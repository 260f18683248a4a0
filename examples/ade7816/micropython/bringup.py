# Bring-up of wattcad's ADE7816 board on an ESP32 Feather: each step prints its result. Copy this
# folder's .py (or .mpy) files to the Feather and run `import bringup; bringup.main()`
# (docs/firmware.md). The pins, the interface and the RESET pulse are the board's (board_config).
import ade7816
import board_config as B
from machine import I2C, SPI, Pin


def _step(name, action):
    try:
        detail = action()
    except Exception as e:  # every failure is reported as the step's, then raised
        print("[FAIL] %s: %s" % (name, e))
        raise
    print("[ok] %s%s" % (name, "" if detail is None else ": %s" % (detail,)))
    return detail


def make_bus():
    if B.INTERFACE == "spi":
        spi = SPI(2, baudrate=B.SPI_BAUDRATE, polarity=B.SPI_POLARITY, phase=B.SPI_PHASE,
                  sck=Pin(B.PIN_SCK), mosi=Pin(B.PIN_MOSI), miso=Pin(B.PIN_MISO))
        return ade7816.SPIBus(spi, Pin(B.PIN_SS, Pin.OUT, value=1))
    i2c = I2C(0, scl=Pin(B.PIN_SCL), sda=Pin(B.PIN_SDA), freq=B.I2C_FREQ)
    return ade7816.I2CBus(i2c)


def main(line_hz=B.LINE_HZ, channels="ABCDEF"):
    print("%s: ADE7816 over %s, RESET on GPIO%d held %d us" % (B.BOARD, B.INTERFACE.upper(), B.PIN_RESET, B.RESET_LOW_US))
    bus = make_bus()
    dev = ade7816.ADE7816(bus, reset=Pin(B.PIN_RESET, Pin.OUT, value=1), reset_low_us=B.RESET_LOW_US,
                          irq0=Pin(B.PIN_IRQ0, Pin.IN), irq1=Pin(B.PIN_IRQ1, Pin.IN))
    _step("interface lock (%s)" % B.INTERFACE, dev.lock_interface)
    _step("hardware reset", lambda: "RSTDONE after %d ms" % dev.hardware_reset())
    _step("version", lambda: "0x%02X" % dev.read("VERSION"))
    _step("line frequency", lambda: dev.set_line_frequency(line_hz) or "%d Hz" % line_hz)
    _step("run", dev.start)
    readings = {"VRMS": dev.vrms()}
    for ch in channels:
        readings["I%sRMS" % ch] = dev.irms(ch)
        readings["%sWATTHR" % ch] = dev.active_energy(ch)
        readings["%sVARHR" % ch] = dev.reactive_energy(ch)
    _step("readings", lambda: " ".join("%s=%d" % (k, readings[k]) for k in sorted(readings)))
    return dev, readings
