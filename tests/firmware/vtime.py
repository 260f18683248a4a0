# A virtual clock with MicroPython's `time` API, installed as `time` before the driver is imported:
# the ADE7816 model measures RESET's low time on it, so a test's timing never depends on the machine.
now_us = 0


def sleep_us(us):
    global now_us
    now_us += int(us)


def sleep_ms(ms):
    sleep_us(int(ms) * 1000)


def sleep(s):
    sleep_us(int(s * 1000000))


def ticks_us():
    return now_us


def ticks_ms():
    return now_us // 1000


def ticks_diff(a, b):
    return a - b


def ticks_add(a, b):
    return a + b
