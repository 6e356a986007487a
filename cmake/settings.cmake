# Per-target build settings shared by every sekisho target.
function(sekisho_target_settings target)
    target_compile_features(${target} PUBLIC cxx_std_20)
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
        -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wimplicit-fallthrough)
    # Not -Wnull-dereference: at -O2 GCC 12 reports paths inside Boost.Asio's
    # io_context that cannot occur (a false positive that -Werror would turn
    # into a broken release build).
    if(SEKISHO_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(SEKISHO_SANITIZE)
        target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                 -fno-sanitize-recover=undefined)
        target_link_options(${target} PRIVATE -fsanitize=address,undefined)
        # clang 14's UBSan `function` check breaks the code generated for
        # coroutines ("Cannot represent a difference across sections").
        if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
            target_compile_options(${target} PRIVATE -fno-sanitize=function)
        endif()
    endif()
    # The libraries too carry libFuzzer's coverage instrumentation, so that
    # the fuzzer sees the branches of the parsers it feeds, not only of the
    # harness (the CONNECT head target: 583 edges without, 2,650 with).
    if(SEKISHO_FUZZ)
        target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
    endif()
endfunction()
