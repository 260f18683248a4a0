# MicroPython driver for the ADE7816 energy metering IC, generated into the build by wattcad with
# its register map (ade7816_regs) and the board's pins (board_config). Register framing and the
# interface lock follow the ADE7816 datasheet and ADI's no-OS driver (docs/firmware.md has the
# sources). Runs on the ESP32 port; the tests run it in MicroPython's WebAssembly port.
import time

import ade7816_regs as R


class ADE7816Error(Exception):
    pass


def _sign(value, bits):
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def decode(reg, raw):
    """A register's value from the bytes' big-endian integer, by its format."""
    _, _, bits, fmt = reg
    if fmt in ("ZP", "ZPSE", "SE"):
        value = raw & 0xFFFFFF
        return _sign(value, 24) if fmt != "ZP" else value
    if fmt == "S":
        return _sign(raw, bits)
    return raw


def encode(reg, value):
    """The integer to send for VALUE, by the register's format (ZPSE: 24-bit signed, sign-extended
    to 28 bits, zero-padded to 32)."""
    _, nbytes, bits, fmt = reg
    if fmt in ("ZPSE", "SE", "S"):
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    else:
        lo, hi = 0, (1 << bits) - 1
    if not lo <= value <= hi:
        raise ADE7816Error("value %d out of range for a %d-bit %s register" % (value, bits, fmt))
    if fmt == "ZPSE":
        return value & 0x0FFFFFFF
    return value & ((1 << (8 * nbytes)) - 1)


class SPIBus:
    """SPI mode 3, MSB first: a command byte (0 write, 1 read), the 16-bit address, the data."""

    name = "spi"

    def __init__(self, spi, ss):
        self.spi, self.ss = spi, ss
        self.ss.value(1)

    def write(self, address, data):
        self.ss.value(0)
        self.spi.write(bytes((0x00, address >> 8, address & 0xFF)) + data)
        self.ss.value(1)

    def read(self, address, nbytes):
        self.ss.value(0)
        self.spi.write(bytes((0x01, address >> 8, address & 0xFF)))
        data = self.spi.read(nbytes, 0x00)
        self.ss.value(1)
        return data


class I2CBus:
    """I2C at 0x38: the 16-bit address then the data; a read repeats the start without a stop."""

    name = "i2c"

    def __init__(self, i2c, address=R.I2C_ADDRESS):
        self.i2c, self.address = i2c, address

    def write(self, address, data):
        self.i2c.writeto(self.address, bytes((address >> 8, address & 0xFF)) + data)

    def read(self, address, nbytes):
        self.i2c.writeto(self.address, bytes((address >> 8, address & 0xFF)), False)
        return self.i2c.readfrom(self.address, nbytes)


class ADE7816:
    """One ADE7816 on BUS (SPIBus or I2CBus). RESET: its pin (a machine.Pin, output) and the
    low time the board's RC network needs; IRQ0/IRQ1: input pins (open drain, pulled up)."""

    def __init__(self, bus, reset=None, reset_low_us=10, irq0=None, irq1=None):
        self.bus, self.reset_pin, self.reset_low_us = bus, reset, reset_low_us
        self.irq0, self.irq1 = irq0, irq1
        if reset is not None:
            reset.value(1)

    # --- registers -----------------------------------------------------------------------
    def read(self, name):
        reg = R.REGISTERS[name]
        data = self.bus.read(reg[0], reg[1])
        if len(data) != reg[1]:
            raise ADE7816Error("%s: %d bytes read, %d expected" % (name, len(data), reg[1]))
        raw = 0
        for b in data:
            raw = (raw << 8) | b
        return decode(reg, raw)

    def write(self, name, value):
        reg = R.REGISTERS[name]
        raw = encode(reg, value)
        self.bus.write(reg[0], bytes((raw >> (8 * i)) & 0xFF for i in range(reg[1] - 1, -1, -1)))

    def write_dsp(self, name, value):
        """A DSP memory register (0x4380-0x43BF), the last of a sequence of writes: written three
        times so it leaves the DSP's pipeline (the ADE78xx family's rule; harmless if not needed)."""
        for _ in range(3):
            self.write(name, value)

    # --- bring-up steps --------------------------------------------------------------------
    def hardware_reset(self, timeout_ms=100):
        """Hold RESET low for the board's low time, release it and wait for RSTDONE (STATUS1 bit
        15; it also pulls IRQ1 low). The RSTDONE of power-up is cleared first, so only this
        reset's counts; the interface is locked again after it. Returns the ms RSTDONE took;
        raises ADE7816Error naming the pulse when it never comes."""
        if self.reset_pin is None:
            raise ADE7816Error("no RESET pin: the board's RESET is not wired to the host")
        self.lock_interface()
        self.clear_status()
        self.reset_pin.value(0)
        time.sleep_us(self.reset_low_us)
        self.reset_pin.value(1)
        start = time.ticks_ms()
        if self.irq1 is not None:
            while self.irq1.value() and time.ticks_diff(time.ticks_ms(), start) < timeout_ms:
                time.sleep_us(100)
        else:
            time.sleep_ms(40)  # no-OS ADE7816_INIT_DELAY
        took = time.ticks_diff(time.ticks_ms(), start)
        self.lock_interface()
        if not self.read("STATUS1") & (1 << R.STATUS1_RSTDONE):
            raise ADE7816Error("no RSTDONE %d ms after a %d us RESET pulse: the chip did not reset (RESET's RC "
                               "network needs a longer pulse than board_config.RESET_LOW_US, or RESET is not "
                               "wired)" % (took, self.reset_low_us))
        self.clear_status()
        return took

    def clear_status(self):
        """Status bits clear when written back as 1s; IRQ0/IRQ1 then go high."""
        for name in ("STATUS0", "STATUS1"):
            value = self.read(name)
            if value:
                self.write(name, value)

    def lock_interface(self):
        """SPI: three writes to 0xEBFF toggle ~SS three times, which selects SPI; a write to
        CONFIG2 then locks it. I2C: CONFIG2's I2C_LOCK bit. Checked by a pattern written to ZXTOUT
        and read back (a chip that is not listening reads back what the bus floats to)."""
        if self.bus.name == "spi":
            for _ in range(3):
                self.write("SPI_SELECT", 0)
            self.write("CONFIG2", 0)
        else:
            self.write("CONFIG2", 1 << R.CONFIG2_I2C_LOCK)
        before = self.read("ZXTOUT")
        self.write("ZXTOUT", 0x5AA5)
        got = self.read("ZXTOUT")
        if got != 0x5AA5:
            raise ADE7816Error("%s not locked: the ADE7816 does not answer (ZXTOUT reads 0x%04X after writing "
                               "0x5AA5); check the interface jumpers and ~SS" % (self.bus.name.upper(), got))
        self.write("ZXTOUT", before)

    def set_line_frequency(self, hz):
        """PCF_A..F_COEFF for a 50 or 60 Hz line (the ADE7816 has no frequency select bit)."""
        if hz not in R.LINE_FREQUENCY:
            raise ADE7816Error("line frequency %r Hz: the ADE7816 has coefficients for 50 and 60 Hz only" % (hz,))
        coeff = R.LINE_FREQUENCY[hz]
        for ch in "ABCDE":
            self.write("PCF_%s_COEFF" % ch, coeff)
        self.write_dsp("PCF_F_COEFF", coeff)
        for ch in "ABCDEF":
            got = self.read("PCF_%s_COEFF" % ch)
            if got != coeff:
                raise ADE7816Error("PCF_%s_COEFF reads 0x%06X after writing 0x%06X" % (ch, got, coeff))

    def start(self):
        self.write("RUN", 1)

    def stop(self):
        self.write("RUN", 0)

    # --- readings ------------------------------------------------------------------------
    def vrms(self):
        return self.read("VRMS")

    def irms(self, channel):
        return self.read("I%sRMS" % channel)

    def active_energy(self, channel):
        return self.read("%sWATTHR" % channel)

    def reactive_energy(self, channel):
        return self.read("%sVARHR" % channel)

    def on_irq(self, line, handler, mask=0):
        """Call HANDLER(status) on IRQ0 (line 0: STATUS0, events in MASK0) or IRQ1 (line 1:
        STATUS1), falling edge; the status bits are cleared after the handler."""
        pin = self.irq0 if line == 0 else self.irq1
        if pin is None:
            raise ADE7816Error("IRQ%d is not wired to the host" % line)
        status = "STATUS%d" % line
        if mask:
            self.write("MASK%d" % line, mask)

        def fire(_pin):
            value = self.read(status)
            handler(value)
            if value:
                self.write(status, value)

        pin.irq(trigger=pin.IRQ_FALLING, handler=fire)
