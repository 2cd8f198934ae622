
app_name = "destinations"

# reviewers' pages (lists, exports, batch review, the review page, 修改去向, 获取最新学生信息, the proof)
REVIEW_PATTERNS: list = []
# the graduate's pages (my destinations, choose a type and register, edit and resubmit, 补登, credit warnings)
GRADUATE_PATTERNS: list = []

urlpatterns = REVIEW_PATTERNS + GRADUATE_PATTERNS
