package com.cobotchat.app;

/** A configuration value is missing or malformed; the message names the variable and is fit for one line. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
