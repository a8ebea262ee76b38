# The DDL parser's libFuzzer target (fuzz/ddl_parser_fuzz.cpp, corpus fuzz/corpus/ddl/). A glob over
# fuzz/*_fuzz.cpp may already have defined it.
if(NOT TARGET ddl_parser_fuzz)
  add_executable(ddl_parser_fuzz ${CMAKE_CURRENT_LIST_DIR}/ddl_parser_fuzz.cpp)
  target_link_libraries(ddl_parser_fuzz PRIVATE m2c_schema)
  target_link_options(ddl_parser_fuzz PRIVATE -fsanitize=fuzzer)
endif()
