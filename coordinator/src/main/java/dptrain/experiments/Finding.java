package dptrain.experiments;

/** One of the book's findings, checked on this run's numbers: the claim, whether it held, and what was measured. */
public record Finding(String claim, boolean reproduced, String measured) {}
