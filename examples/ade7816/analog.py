"""The analog front end's arithmetic (pure: no SKiDL, no KiCad).

Two halves that must agree:
- *design*: from the sources' worst case (a CT at its rated current, read high by its ratio
  tolerance, with a crest factor; an AC-AC adapter unloaded at high mains) choose the burden and the
  divider so the ADC's input stays within `headroom` of its full scale;
- *budget*: from a netlist's actual resistor values (so a hand edit is caught), solve the resistor
  network each source drives and give every ADC input pair's worst-case peak as a fraction of full
  scale.
The budget solves the network at DC with the capacitors left out: at 50/60 Hz a 22 nF shunt behind
1 kOhm takes off under 1 %, so leaving it out errs on the high (safe) side. The same solver, with the
capacitors in at 50/60 Hz, gives each input's phase: a voltage and a current input whose filters lag
differently read active power wrong (`phase_mismatch`). And the RESET network's RC gives how long a
host must hold RESET low (`reset_low_time`).
"""
from __future__ import annotations

import cmath
import math
import re
from dataclasses import dataclass, field

SQRT2 = math.sqrt(2)
E24 = (1.0, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.7, 3.0, 3.3, 3.6, 3.9, 4.3, 4.7, 5.1, 5.6, 6.2, 6.8, 7.5,
       8.2, 9.1)
E96 = (1.00, 1.02, 1.05, 1.07, 1.10, 1.13, 1.15, 1.18, 1.21, 1.24, 1.27, 1.30, 1.33, 1.37, 1.40, 1.43, 1.47,
       1.50, 1.54, 1.58, 1.62, 1.65, 1.69, 1.74, 1.78, 1.82, 1.87, 1.91, 1.96, 2.00, 2.05, 2.10, 2.15, 2.21,
       2.26, 2.32, 2.37, 2.43, 2.49, 2.55, 2.61, 2.67, 2.74, 2.80, 2.87, 2.94, 3.01, 3.09, 3.16, 3.24, 3.32,
       3.40, 3.48, 3.57, 3.65, 3.74, 3.83, 3.92, 4.02, 4.12, 4.22, 4.32, 4.42, 4.53, 4.64, 4.75, 4.87, 4.99,
       5.11, 5.23, 5.36, 5.49, 5.62, 5.76, 5.90, 6.04, 6.19, 6.34, 6.49, 6.65, 6.81, 6.98, 7.15, 7.32, 7.50,
       7.68, 7.87, 8.06, 8.25, 8.45, 8.66, 8.87, 9.09, 9.31, 9.53, 9.76)
SERIES = {"E24": E24, "E96": E96}


def preferred(value: float, direction: str, series: str = "E96") -> float:
    """The series value at or below (direction 'down') or at or above ('up') `value`: 'down' for a
    burden (a smaller burden gives a smaller voltage), 'up' for a divider's top resistor."""
    if value <= 0 or not math.isfinite(value):
        raise ValueError(f"no {series} value for {value}")
    decade = 10 ** math.floor(math.log10(value))
    candidates = [round(m * decade * k, 10) for k in (0.1, 1, 10) for m in SERIES[series]]
    if direction == "down":
        return max(c for c in candidates if c <= value * (1 + 1e-9))
    return min(c for c in candidates if c >= value * (1 - 1e-9))


# ------------------------------------------------------------------------------------ design
@dataclass(frozen=True)
class CtSource:
    """A current transformer on a burden: its secondary is a current source."""

    rated_secondary_a_rms: float
    ratio_tolerance: float  # fraction: the CT may read this much high
    crest_factor: float  # peak / rms of the current at rated rms the input must pass unclipped

    @property
    def worst_peak_a(self) -> float:
        return self.rated_secondary_a_rms * (1 + self.ratio_tolerance) * self.crest_factor


@dataclass(frozen=True)
class AdapterSource:
    """An AC-AC wall adapter: a voltage source that runs high when lightly loaded."""

    rated_v_rms: float
    unloaded_rise: float  # unloaded output / rated output
    mains_tolerance: float  # fraction: mains this much above nominal

    @property
    def worst_peak_v(self) -> float:
        return self.rated_v_rms * self.unloaded_rise * (1 + self.mains_tolerance) * SQRT2


def burden_ohm(ct: CtSource, full_scale_v_peak: float, headroom: float, parts: int = 1) -> float:
    """Each of PARTS equal burden resistors in series (2 for a burden split about AGND), rounded
    down to E96 so the worst-case peak stays at or under headroom x full scale."""
    return preferred(headroom * full_scale_v_peak / ct.worst_peak_a / parts, "down")


def divider_top_ohm(adapter: AdapterSource, bottom_ohm: float, full_scale_v_peak: float, headroom: float) -> float:
    """The divider's top resistor, rounded up to E96 (a larger top gives a smaller voltage)."""
    return preferred(bottom_ohm * (adapter.worst_peak_v / (headroom * full_scale_v_peak) - 1), "up")


# ------------------------------------------------------------------------------------ values
_VALUE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([RrKkMm]|[Ωω]|ohm)?(\d*)\s*(?:[Ωω]|ohms?)?\s*$")
_MULT = {"": 1.0, "r": 1.0, "ω": 1.0, "ohm": 1.0, "k": 1e3, "m": 1e6}


def parse_ohm(text: str) -> float | None:
    """A resistor's value as people write it: '3.83', '1k', '57.6k', '4k7', '4R7', '10 Ω', '2M2'.
    None when it is not a plain resistance (a part number, 'DNP', empty)."""
    m = _VALUE.match(str(text))
    if not m:
        return None
    whole, unit, frac = m.group(1), (m.group(2) or "").lower(), m.group(3)
    if frac and "." in whole:
        return None
    number = float(f"{whole}.{frac}" if frac else whole)
    return number * _MULT[unit]


_FARAD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([pnuµμm])?(\d*)\s*F?\s*$")
_FARAD_MULT = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "μ": 1e-6, "m": 1e-3, "": 1.0}


def parse_farad(text: str) -> float | None:
    """A capacitor's value as people write it: '22n', '100nF', '4.7u', '4u7', '20p', '1µF'. None when
    it is not a plain capacitance."""
    m = _FARAD.match(str(text))
    if not m or (m.group(3) and ("." in m.group(1) or not m.group(2))):
        return None
    whole, unit, frac = m.group(1), m.group(2) or "", m.group(3)
    return float(f"{whole}.{frac}" if frac else whole) * _FARAD_MULT[unit]


# ------------------------------------------------------------------------------------ budget
@dataclass(frozen=True)
class Resistor:
    ref: str
    ohm: float
    net_a: str
    net_b: str


@dataclass(frozen=True)
class Excitation:
    """A source connected between two nets: a current (A peak) or a voltage (V peak)."""

    label: str  # e.g. "J1 (CT)"
    kind: str  # current | voltage
    peak: float
    signal_net: str
    return_net: str


@dataclass
class InputBudget:
    name: str  # e.g. "IA"
    pins: tuple[str, str]  # ADC pin names (P, N)
    peak_v: float = 0.0
    full_scale_v_peak: float = 0.5
    driven_by: list[str] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        return self.peak_v / self.full_scale_v_peak


@dataclass(frozen=True)
class Capacitor:
    ref: str
    farad: float
    net_a: str
    net_b: str


def solve_network(resistors: list[Resistor], grounds: set[str], source: Excitation,
                  capacitors: list[Capacitor] = (), freq_hz: float = 0.0) -> dict[str, complex]:
    """Node voltages (V, complex phasors when CAPACITORS and FREQ_HZ are given) of a network with
    GROUNDS held at 0 V, driven by SOURCE. Nets that only float (an ADC input behind its filter
    resistor) take the voltage of what they hang from: every net also leaks 1 GOhm to ground so
    the system is never singular."""
    elements = [(r.net_a, r.net_b, 1.0 / max(r.ohm, 1e-6)) for r in resistors]
    elements += [(c.net_a, c.net_b, 2j * math.pi * freq_hz * c.farad) for c in capacitors if freq_hz > 0]
    nets = sorted({n for a, b, _ in elements for n in (a, b)} | {source.signal_net, source.return_net})
    fixed = {n: 0.0 for n in nets if n in grounds}
    if source.kind == "voltage":
        if source.signal_net in grounds:
            return {n: 0.0 for n in nets}
        fixed[source.signal_net] = source.peak + fixed.get(source.return_net, 0.0)
        fixed.setdefault(source.return_net, 0.0)
    free = [n for n in nets if n not in fixed]
    index = {n: i for i, n in enumerate(free)}
    size = len(free)
    g = [[0j] * size for _ in range(size)]
    rhs = [0j] * size
    leak = 1e-9
    for n in free:
        g[index[n]][index[n]] += leak
    for a, b, admittance in elements:
        for this, other in ((a, b), (b, a)):
            if this not in index:
                continue
            i = index[this]
            g[i][i] += admittance
            if other in index:
                g[i][index[other]] -= admittance
            else:
                rhs[i] += admittance * fixed[other]
    if source.kind == "current":
        if source.signal_net in index:
            rhs[index[source.signal_net]] += source.peak
        if source.return_net in index:
            rhs[index[source.return_net]] -= source.peak
    solution = _gauss(g, rhs)
    volts = {**fixed, **{n: solution[index[n]] for n in free}}
    return volts if freq_hz > 0 and capacitors else {n: complex(v).real for n, v in volts.items()}


def _gauss(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting; the networks here have tens of nodes."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        p = m[col][col]
        for r in range(col + 1, n):
            f = m[r][col] / p
            if f:
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def input_budgets(resistors: list[Resistor], grounds: set[str], sources: list[Excitation],
                  inputs: dict[str, tuple[str | None, str | None]], pin_names: dict[str, tuple[str, str]],
                  full_scale_v_peak: float) -> list[InputBudget]:
    """Each ADC input pair's worst-case peak: the sources' contributions added in magnitude (each
    source at its own worst case at once, which no real installation exceeds). INPUTS maps a pair's
    name to the nets of its (P, N) pins; a pin on no net reads 0 V."""
    budgets = {name: InputBudget(name, pin_names[name], full_scale_v_peak=full_scale_v_peak) for name in inputs}
    for source in sources:
        volts = solve_network(resistors, grounds, source)
        for name, (p_net, n_net) in inputs.items():
            dv = abs(volts.get(p_net, 0.0) - volts.get(n_net, 0.0))
            if dv > 1e-6 * abs(source.peak):
                budgets[name].peak_v += dv
                budgets[name].driven_by.append(source.label)
    return [budgets[n] for n in inputs]


# ------------------------------------------------------------------------------------ phase
@dataclass
class PhaseMismatch:
    """How much more (or less) the voltage input's filter lags than a current input's, in degrees,
    at each line frequency: active power reads cos(phi + error) instead of cos(phi)."""

    current: str  # the current input, e.g. "IA"
    voltage: str  # the voltage input, "V"
    nominal_deg: dict[float, float]  # frequency (Hz) -> mismatch at the parts' nominal values
    worst_deg: dict[float, float]  # frequency (Hz) -> the largest mismatch over the parts' tolerances


def input_phase_deg(resistors: list[Resistor], capacitors: list[Capacitor], grounds: set[str], source: Excitation,
                    pins: tuple[str | None, str | None], freq_hz: float) -> float:
    """The phase (degrees) of an ADC input pair's voltage against SOURCE at FREQ_HZ."""
    volts = solve_network(resistors, grounds, source, capacitors, freq_hz)
    p_net, n_net = pins
    dv = volts.get(p_net, 0.0) - volts.get(n_net, 0.0)
    return math.degrees(cmath.phase(dv))


def _scaled(resistors, capacitors, r_scale: float, c_scale: float):
    return ([Resistor(r.ref, r.ohm * r_scale, r.net_a, r.net_b) for r in resistors],
            [Capacitor(c.ref, c.farad * c_scale, c.net_a, c.net_b) for c in capacitors])


def phase_mismatch(resistors: list[Resistor], capacitors: list[Capacitor], grounds: set[str],
                   voltage: tuple[str, Excitation, tuple], current: tuple[str, Excitation, tuple],
                   freqs_hz=(50.0, 60.0), r_tol: float = 0.01, c_tol: float = 0.05) -> PhaseMismatch:
    """VOLTAGE and CURRENT are (input name, its source, its (P, N) nets). Worst case: every R and C
    of one input's network at the top of its tolerance and the other's at the bottom (a filter's
    lag grows with each of its R and C, so the extremes are at these two corners)."""
    (v_name, v_source, v_pins), (i_name, i_source, i_pins) = voltage, current
    nominal, worst = {}, {}
    def lag(sign: float, f: float) -> float:
        v_r, v_c = _scaled(resistors, capacitors, 1 + sign * r_tol, 1 + sign * c_tol)
        i_r, i_c = _scaled(resistors, capacitors, 1 - sign * r_tol, 1 - sign * c_tol)
        return (input_phase_deg(v_r, v_c, grounds, v_source, v_pins, f)
                - input_phase_deg(i_r, i_c, grounds, i_source, i_pins, f))

    for f in freqs_hz:
        nominal[f] = abs(lag(0.0, f))
        worst[f] = max(abs(lag(1.0, f)), abs(lag(-1.0, f)))
    return PhaseMismatch(i_name, v_name, nominal, worst)


# ------------------------------------------------------------------------------------ reset
@dataclass
class ResetNetwork:
    """RESET's RC network as a host sees it when it drives its pin low: the pin's node pulled to
    the supply, tied to the host's pin (0 V) through a series resistance, loaded by capacitance."""

    supply_v: float
    pullup_ohm: float | None  # None: no pull-up
    series_ohm: float  # from the host's pin (0 V when driven low) to RESET; 0: driven directly
    farad: float  # capacitance from RESET to AC ground

    def low_time_s(self, threshold_v: float) -> float:
        """Seconds from the host driving low to RESET falling below THRESHOLD_V; inf if never."""
        if self.series_ohm <= 0:
            return 0.0
        g_up = 1.0 / self.pullup_ohm if self.pullup_ohm else 0.0
        g_down = 1.0 / self.series_ohm
        v_final = self.supply_v * g_up / (g_up + g_down)
        if v_final >= threshold_v:
            return math.inf
        tau = self.farad / (g_up + g_down)
        return tau * math.log((self.supply_v - v_final) / (threshold_v - v_final))

    def worst_low_time_s(self, threshold_v: float, r_tol: float = 0.01, c_tol: float = 0.1) -> float:
        """The longest low time over the parts' tolerances (every corner)."""
        times = []
        for up in (-1, 1):
            for series in (-1, 1):
                corner = ResetNetwork(self.supply_v, self.pullup_ohm and self.pullup_ohm * (1 + up * r_tol),
                                      self.series_ohm * (1 + series * r_tol), self.farad * (1 + c_tol))
                times.append(corner.low_time_s(threshold_v))
        return max(times)


def reset_pulse_us(network: ResetNetwork, threshold_v: float, min_low_us: float, margin: float = 2.0) -> int:
    """The pulse a firmware gives: MARGIN times the longer of the network's worst-case low time and
    the chip's own minimum, rounded up to 10 us."""
    need_us = network.worst_low_time_s(threshold_v) * 1e6
    if not math.isfinite(need_us):
        raise ValueError("RESET never falls below its threshold: the pull-up is too strong for the series resistor")
    return int(math.ceil(margin * max(min_low_us, need_us) / 10.0) * 10)


def firmware_reset_pulse_us(reset: dict, chip: dict) -> int:
    """The RESET pulse wattcad's generated firmware gives: from the board's network (board.yaml
    `reset`: pullup_ohm, capacitor, series_ohm) and the chip's facts (the pin table's `reset`)."""
    network = ResetNetwork(chip["supply_v"], reset["pullup_ohm"], reset["series_ohm"], parse_farad(reset["capacitor"]))
    return reset_pulse_us(network, chip["logic_low_max_v"], chip["min_low_us"])
