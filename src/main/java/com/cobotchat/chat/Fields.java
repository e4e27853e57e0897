package com.cobotchat.chat;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Strict readers for fields of client frames: anything of the wrong type or range is a {@code bad_request}. */
final class Fields {
  private static final int MAX_REF_LENGTH = 200;

  private Fields() {
  }

  /** The request's {@code ref}, echoed in answers: a string (≤ 200 chars) or a number; anything else is ignored. */
  static Object ref(JsonObject request) {
    Object ref = request.getValue("ref");
    if (ref instanceof String s) {
      return s.length() <= MAX_REF_LENGTH ? s : null;
    }
    if (ref instanceof Integer || ref instanceof Long) {
      return ref;
    }
    return null;
  }

  /** A required id: a string of digits or a positive integer. */
  static long id(JsonObject request, String field) {
    Object value = request.getValue(field);
    if (value == null) {
      throw ChatException.badRequest(field + " is required");
    }
    long id = -1;
    if (value instanceof String s) {
      if (s.length() >= 1 && s.length() <= 18 && s.chars().allMatch(Character::isDigit)) {
        id = Long.parseLong(s);
      }
    } else {
      id = integral(value);
    }
    if (id <= 0) {
      throw ChatException.badRequest(field + " must be an id");
    }
    return id;
  }

  /** An optional non-negative integer (a seq or a count); null when absent. */
  static Long optionalCount(JsonObject request, String field) {
    Object value = request.getValue(field);
    if (value == null) {
      return null;
    }
    long n = integral(value);
    if (n < 0) {
      throw ChatException.badRequest(field + " must be a non-negative integer");
    }
    return n;
  }

  static long count(JsonObject request, String field) {
    Long n = optionalCount(request, field);
    if (n == null) {
      throw ChatException.badRequest(field + " is required");
    }
    return n;
  }

  static String string(JsonObject request, String field) {
    Object value = request.getValue(field);
    if (!(value instanceof String s)) {
      throw ChatException.badRequest(field + " must be a string");
    }
    return s;
  }

  static String optionalString(JsonObject request, String field) {
    Object value = request.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw ChatException.badRequest(field + " must be a string");
    }
    return s;
  }

  /** -1 for a value that is not an integer within the range of long. */
  private static long integral(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big) {
      return big.bitLength() < 63 ? big.longValue() : -1;
    }
    if (value instanceof BigDecimal dec) {
      try {
        return dec.longValueExact();
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    return -1;
  }
}
