# A register-level model of the ADE7816 on its SPI or I2C bus, run inside MicroPython with the driver
# (its behaviour from the datasheet and ADI's no-OS driver; docs/firmware.md):
# - it powers up in I2C; three falling edges of ~SS switch it to SPI; a write to CONFIG2 then locks
#   SPI (in I2C, CONFIG2's I2C_LOCK bit locks I2C); a locked interface ignores the other;
# - SPI mode 3 only: a command byte (0 write, 1 read), a 16-bit address, the register's own number of
#   bytes, MSB first; I2C at 0x38: the address, then data (a read repeats the start);
# - RESET low for at least `reset_need_us` (what the board's RC needs to cross V_INL) resets it:
#   registers to defaults, interface back to I2C, RSTDONE (STATUS1 bit 15) 1 ms later; a shorter
#   pulse does nothing. RSTDONE is also set at power-up. IRQ1 is low while RSTDONE (or a STATUS1 bit
#   in MASK1) is set, IRQ0 while a STATUS0 bit in MASK0 is; status bits clear when written as 1s;
# - with RUN = 1 the rms and energy registers read the values a test sets in `readings`.
# Whatever a driver does wrong is recorded in `errors` (and a wrong frame is not applied).
import vtime

RSTDONE = 1 << 15
DEFAULTS = {"ZXTOUT": 0xFFFF, "LINECYC": 0xFFFF, "VERSION": 0x02, "PEAKCYC": 0x00, "MMODE": 0x1C, "ACCMODE": 0x00,
            "LCYCMODE": 0x78, "GAIN": 0x0000, "CHECKSUM": 0x33666787}
MEASURED = ("VRMS", "IARMS", "IBRMS", "ICRMS", "IDRMS", "IERMS", "IFRMS", "AWATTHR", "BWATTHR", "CWATTHR", "DWATTHR",
            "EWATTHR", "FWATTHR", "AVARHR", "BVARHR", "CVARHR", "DVARHR", "EVARHR", "FVARHR")


class Model:
    def __init__(self, registers, wiring, interface="spi", reset_need_us=10):
        """REGISTERS: address -> (name, bytes, bits, format). WIRING: signal -> the ESP32 GPIO the
        board connects it to (SCK, MOSI, MISO, SS, SCL, SDA, IRQ0, IRQ1, RESET). INTERFACE: the
        way the board's jumpers are bridged."""
        self.registers = registers
        self.by_name = {v[0]: a for a, v in registers.items()}
        self.wiring, self.interface, self.reset_need_us = wiring, interface, reset_need_us
        self.errors, self.resets, self.readings, self.handlers = [], 0, {}, {}
        self.levels = {wiring["SS"]: 1, wiring["RESET"]: 1}
        self.reset_low_at = None
        self._power_up()

    # --- state ------------------------------------------------------------------------------
    def _power_up(self):
        self.values = {a: 0 for a in self.registers}
        for name, value in DEFAULTS.items():
            self.values[self.by_name[name]] = value
        self.mode, self.locked, self.ss_falls = "i2c", False, 0
        self.tx, self.pointer, self.rstdone_at = None, None, vtime.now_us
        self.values[self.by_name["STATUS1"]] |= RSTDONE

    def reg(self, name):
        self._tick()
        return self.values[self.by_name[name]]

    def _tick(self):
        if self.rstdone_at is not None and vtime.now_us >= self.rstdone_at:
            self.values[self.by_name["STATUS1"]] |= RSTDONE
            self.rstdone_at = None
            self._irq_edges()

    def event(self, line, bits):
        """Something the chip signals: STATUSn gets BITS (IRQn falls if MASKn has them)."""
        self.values[self.by_name["STATUS%d" % line]] |= bits
        self._irq_edges()

    # --- pins -------------------------------------------------------------------------------
    def drive(self, gpio, level):
        before = self.levels.get(gpio, 1)
        self.levels[gpio] = level
        vtime.sleep_us(1)
        if gpio == self.wiring["SS"] and self.interface == "spi":
            if before and not level:
                self._ss_fall()
            elif level and not before:
                self._ss_rise()
        if gpio == self.wiring["RESET"]:
            if before and not level:
                self.reset_low_at = vtime.now_us
            elif level and not before and self.reset_low_at is not None:
                low_us = vtime.now_us - self.reset_low_at
                self.reset_low_at = None
                if low_us >= self.reset_need_us:
                    self._power_up()
                    self.values[self.by_name["STATUS1"]] &= ~RSTDONE
                    self.rstdone_at = vtime.now_us + 1000
                    self.resets += 1

    def _irq_level(self, line):
        self._tick()
        status = self.values[self.by_name["STATUS%d" % line]]
        mask = self.values[self.by_name["MASK%d" % line]] | (RSTDONE if line == 1 else 0)
        return 0 if status & mask else 1

    def level(self, gpio):
        for line in (0, 1):
            if gpio == self.wiring["IRQ%d" % line]:
                return self._irq_level(line)
        return self.levels.get(gpio, 1)

    def watch(self, gpio, trigger, handler, pin):
        self.handlers[gpio] = (trigger, handler, pin, self.level(gpio))

    def _irq_edges(self):
        for gpio, (trigger, handler, pin, was) in list(self.handlers.items()):
            now = self.level(gpio)
            self.handlers[gpio] = (trigger, handler, pin, now)
            if was and not now and trigger & 2:
                handler(pin)

    # --- SPI --------------------------------------------------------------------------------
    def _ss_fall(self):
        if self.mode == "i2c" and not self.locked:
            self.ss_falls += 1
            if self.ss_falls >= 3:
                self.mode = "spi"
        self.tx = bytearray()

    def _spi_ok(self, spi):
        for signal in ("SCK", "MOSI", "MISO"):
            if spi.pins[signal] != self.wiring[signal]:
                self.errors.append("SPI %s on GPIO%s, the board has it on GPIO%d" % (signal, spi.pins[signal],
                                                                                     self.wiring[signal]))
                return False
        if (spi.polarity, spi.phase) != (1, 1):
            self.errors.append("SPI mode (polarity %d, phase %d): the ADE7816 needs mode 3" % (spi.polarity, spi.phase))
            return False
        return self.interface == "spi" and self.levels.get(self.wiring["SS"], 1) == 0 and self.tx is not None

    def spi_write(self, spi, data):
        vtime.sleep_us(len(data) * 8)
        if self._spi_ok(spi):
            self.tx.extend(data)

    def spi_read(self, spi, nbytes):
        vtime.sleep_us(nbytes * 8)
        if not self._spi_ok(spi) or self.mode != "spi" or len(self.tx) != 3 or self.tx[0] != 0x01:
            return b"\xff" * nbytes  # nobody drives MISO
        address = (self.tx[1] << 8) | self.tx[2]
        self.tx.extend(b"\x00" * nbytes)
        return self._read_bytes(address, nbytes, "SPI")

    def _ss_rise(self):
        tx, self.tx = self.tx, None
        if tx is None or self.mode != "spi" or len(tx) < 3 or tx[0] != 0x00:
            return
        self._write_bytes((tx[1] << 8) | tx[2], bytes(tx[3:]), "SPI")

    # --- I2C --------------------------------------------------------------------------------
    def _i2c_ok(self, i2c, addr):
        if i2c.pins["SCL"] != self.wiring["SCL"] or i2c.pins["SDA"] != self.wiring["SDA"]:
            self.errors.append("I2C on GPIO%s/%s, the board has SCL/SDA on GPIO%d/%d" % (
                i2c.pins["SCL"], i2c.pins["SDA"], self.wiring["SCL"], self.wiring["SDA"]))
            return False
        return self.interface == "i2c" and self.mode == "i2c" and addr == 0x38

    def i2c_write(self, i2c, addr, data, stop):
        vtime.sleep_us(len(data) * 25)
        if not self._i2c_ok(i2c, addr) or len(data) < 2:
            raise OSError(19)  # ENODEV: no acknowledge
        address = (data[0] << 8) | data[1]
        if len(data) == 2 and not stop:
            self.pointer = address
            return 2
        self._write_bytes(address, data[2:], "I2C")
        return len(data)

    def i2c_read(self, i2c, addr, nbytes):
        vtime.sleep_us(nbytes * 25)
        if not self._i2c_ok(i2c, addr) or self.pointer is None:
            raise OSError(19)
        address, self.pointer = self.pointer, None
        return self._read_bytes(address, nbytes, "I2C")

    def i2c_scan(self, i2c):
        return [0x38] if self._i2c_ok(i2c, 0x38) else []

    # --- registers --------------------------------------------------------------------------
    def _read_bytes(self, address, nbytes, bus):
        self._tick()
        if address not in self.registers:
            self.errors.append("%s read of 0x%04X: no such register" % (bus, address))
            return b"\x00" * nbytes
        name, width, bits, fmt = self.registers[address]
        if nbytes != width:
            self.errors.append("%s read of %s: %d bytes, the register has %d" % (bus, name, nbytes, width))
        value = self.values[address]
        if name in MEASURED:
            value = self.readings.get(name, 0) if self.values[self.by_name["RUN"]] == 1 else 0
            if fmt == "ZP" or fmt == "S" or fmt == "U":
                value &= (1 << (8 * width)) - 1
        return bytes((value >> (8 * i)) & 0xFF for i in range(nbytes - 1, -1, -1))

    def _write_bytes(self, address, data, bus):
        if address not in self.registers:
            self.errors.append("%s write to 0x%04X: no such register" % (bus, address))
            return
        name, width, bits, fmt = self.registers[address]
        if len(data) != width:
            self.errors.append("%s write to %s: %d bytes, the register has %d" % (bus, name, len(data), width))
            return
        value = 0
        for b in data:
            value = (value << 8) | b
        if fmt == "ZPSE" and value >> 28:
            self.errors.append("%s write to %s: 0x%08X is not zero-padded above bit 27" % (bus, name, value))
            return
        if name in ("STATUS0", "STATUS1"):
            self.values[address] &= ~value
            self._irq_edges()
            return
        if name == "CONFIG2":
            if self.mode == "spi":
                self.locked = True
            elif value & 0x02:
                self.locked = True
        if name == "SPI_SELECT":
            return
        self.values[address] = value
