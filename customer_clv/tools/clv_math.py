"""BG/NBD (Fader, Hardie & Lee 2005) and Gamma-Gamma (Fader & Hardie 2013) in numpy.

All times are in weeks. A customer is summarised by x (repeat purchase days), t_x (weeks
from the first to the last purchase day), T (weeks from the first purchase day to the end
of the observation) and m (mean amount of the repeat purchase days).
"""

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

LOG_BOUNDS = (-12.0, 12.0)
MAX_ITERATIONS = 15000  # scipy's default for L-BFGS-B


class FitError(ValueError):
    """The maximum likelihood search did not converge to finite parameters."""


def _fit(negative_log_likelihood, start, customers):
    """Minimise over the logs of the parameters (so they stay positive); FitError when the
    search does not converge. On a large population the finite-difference gradient of the
    summed likelihood is mostly rounding noise near the optimum, where the line search may
    then fail: the search goes on from there on the likelihood per customer, which says
    whether that point is the optimum."""

    def search(objective, log_start):
        return minimize(
            objective,
            log_start,
            method="L-BFGS-B",
            bounds=[LOG_BOUNDS] * len(start),
            options={"maxiter": MAX_ITERATIONS},
        )

    result = search(negative_log_likelihood, np.log(start))
    log_likelihood = -result.fun
    if not result.success:
        result = search(lambda p: negative_log_likelihood(p) / customers, result.x)
        log_likelihood = -result.fun * customers
    params = np.exp(result.x)
    if not (result.success and np.isfinite(log_likelihood) and np.all(np.isfinite(params))):
        raise FitError(str(result.message))
    return params, log_likelihood


def group(*columns):
    """Identical rows merged: (unique rows as columns, their counts)."""
    rows, counts = np.unique(np.column_stack(columns), axis=0, return_counts=True)
    return rows.T, counts


def bgnbd_log_likelihood(params, x, t_x, T, weights):
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return np.sum(weights * (a1 + a2 + np.logaddexp(a3, a4)))


def fit_bgnbd(x, t_x, T):
    """Maximum likelihood (r, alpha, a, b) and the log-likelihood."""
    (x, t_x, T), weights = group(x, t_x, T)
    return _fit(
        lambda p: -bgnbd_log_likelihood(np.exp(p), x, t_x, T, weights),
        [1.0, 1.0, 1.0, 1.0],
        weights.sum(),
    )


def gamma_gamma_log_likelihood(params, x, m, weights):
    p, q, v = params
    px = p * x
    return np.sum(
        weights
        * (
            gammaln(px + q)
            - gammaln(px)
            - gammaln(q)
            + q * np.log(v)
            + (px - 1) * np.log(m)
            + px * np.log(x)
            - (px + q) * np.log(x * m + v)
        )
    )


def fit_gamma_gamma(x, m):
    """Maximum likelihood (p, q, v) over customers with repeat purchases (x > 0, m > 0)."""
    (x, m), weights = group(x, m)
    return _fit(
        lambda p: -gamma_gamma_log_likelihood(np.exp(p), x, m, weights),
        [1.0, 1.0, 1.0],
        weights.sum(),
    )


def _repeat_odds(params, x, t_x, T):
    """delta(x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)."""
    r, alpha, a, b = params
    odds = a / (b + np.maximum(x, 1) - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return np.where(x > 0, odds, 0.0)


def p_alive(params, x, t_x, T):
    """Probability that the customer is still active at the end of the observation."""
    return 1.0 / (1.0 + _repeat_odds(params, x, t_x, T))


def expected_purchases(params, t, x, t_x, T):
    """Conditional expectation of the purchases in the next ``t`` weeks."""
    r, alpha, a, b = params
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return head * tail / (1.0 + _repeat_odds(params, x, t_x, T))


def expected_average_spend(params, x, m):
    """Gamma-Gamma conditional expectation of the amount per purchase; the population mean
    for customers without repeat purchases."""
    p, q, v = params
    population_mean = p * v / (q - 1)
    weight = (q - 1) / (p * x + q - 1)
    return np.where(
        x > 0, weight * population_mean + (1 - weight) * np.nan_to_num(m), population_mean
    )


def lifetime_value(bgnbd, gamma_gamma, months, monthly_discount, x, t_x, T, m):
    """Expected purchases per month (a twelfth of 365 days) times expected spend,
    discounted monthly."""
    spend = expected_average_spend(gamma_gamma, x, m)
    weeks_per_month = 365 / 12 / 7
    value = np.zeros_like(T, dtype=float)
    previous = np.zeros_like(T, dtype=float)
    for month in range(1, months + 1):
        cumulated = expected_purchases(bgnbd, month * weeks_per_month, x, t_x, T)
        value += (cumulated - previous) * spend / (1 + monthly_discount) ** month
        previous = cumulated
    return value
