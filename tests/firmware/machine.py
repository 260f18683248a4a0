# The `machine` module of MicroPython's ESP32 port (Pin, SPI, I2C: the calls the driver makes, with
# their signatures), wired to the ADE7816 model instead of silicon. MicroPython's WebAssembly port
# has no `machine`; this one is put on its path by the tests.
import vtime

BUS = None  # the model the pins and buses talk to (ade7816_model.Model)


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_UP = 2
    IRQ_RISING = 1
    IRQ_FALLING = 2

    def __init__(self, id, mode=-1, pull=-1, value=None):
        if not isinstance(id, int) or not 0 <= id <= 39:
            raise ValueError("invalid pin")
        self.id, self.mode = id, mode
        self._out = 1
        if value is not None:
            self.value(value)

    def value(self, v=None):
        if v is None:
            if self.mode == Pin.OUT:
                return self._out
            return BUS.level(self.id)
        if self.mode != Pin.OUT:
            raise OSError("GPIO%d is not an output" % self.id)
        self._out = 1 if v else 0
        BUS.drive(self.id, self._out)

    def __call__(self, v=None):
        return self.value(v)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def irq(self, handler=None, trigger=IRQ_FALLING):
        BUS.watch(self.id, trigger, handler, self)


class SPI:
    MSB = 0
    LSB = 1

    def __init__(self, id, baudrate=1000000, polarity=0, phase=0, bits=8, firstbit=0, sck=None, mosi=None, miso=None):
        self.id, self.baudrate, self.polarity, self.phase = id, baudrate, polarity, phase
        self.bits, self.firstbit = bits, firstbit
        self.pins = {"SCK": sck.id if sck else None, "MOSI": mosi.id if mosi else None, "MISO": miso.id if miso else None}
        vtime.sleep_us(1)

    def write(self, buf):
        BUS.spi_write(self, bytes(buf))

    def read(self, nbytes, write=0):
        return BUS.spi_read(self, nbytes)


class I2C:
    def __init__(self, id, scl=None, sda=None, freq=400000):
        self.id, self.freq = id, freq
        self.pins = {"SCL": scl.id if scl else None, "SDA": sda.id if sda else None}

    def writeto(self, addr, buf, stop=True):
        return BUS.i2c_write(self, addr, bytes(buf), stop)

    def readfrom(self, addr, nbytes, stop=True):
        return BUS.i2c_read(self, addr, nbytes)

    def scan(self):
        return BUS.i2c_scan(self)
